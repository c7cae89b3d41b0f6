// Every Asio header includes this one first: in the Asio-free core it is an error to get here.
#error "an Asio header reached the Asio-free core (INSTRUCTOR_CORE_SOURCES)"
