// Library version (also sent in the User-Agent header).
#pragma once

#define INSTRUCTOR_VERSION_MAJOR 0
#define INSTRUCTOR_VERSION_MINOR 1
#define INSTRUCTOR_VERSION_PATCH 0
#define INSTRUCTOR_VERSION_STRING "0.1.0"
