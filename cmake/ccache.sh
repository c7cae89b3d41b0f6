#!/bin/sh
# ccache as this project runs it, whoever builds (the test, sample and benchmark scripts, a
# developer's build, the CMake consumer test): CMAKE_CXX_COMPILER_LAUNCHER.
#
# Hits across build folders (the CMake consumer test compiles the library with its build's flags
# in a folder of its own); an object's debug info may then name the other folder.
export CCACHE_NOHASHDIR=1
# Files compiled with a precompiled header are cached too (ccache's documented settings for it).
export CCACHE_SLOPPINESS=pch_defines,time_macros
# Keyed on the content of every file the compiler read (the depend mode), never on preprocessed
# text: a header changed only in its comments preprocesses the same, and a cached precompiled
# header made from the old text breaks #pragma once (GCC checks a once-only file against the
# PCH by its whole content, so the header's new text would be included a second time).
export CCACHE_DEPEND=1
# A namespace of the depend mode's own: the preprocessor mode's manifests had already tied a
# header's new text to the precompiled header of its old (a manifest entry lists the files'
# contents, then names a result found by the preprocessed text), and depend mode looks results
# up through the same manifests. Change the name to start a build cache afresh.
export CCACHE_NAMESPACE=instructor-depend-1
exec ccache "$@"
