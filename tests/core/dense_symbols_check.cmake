# Fails if an ISA copy of the native dense kernels (core/src/native/dense_isa.cc compiled with -march=LEVEL) defines a
# global or weak symbol outside its own namespaces. Such a symbol (an inline function of Eigen or of the standard
# library, say) could be merged by the linker with the baseline's copy of the same function, and a caller on an
# older CPU could end up running AVX-512 code.
#   cmake -DNM=<nm> -DOBJECTS=<objects;...> -DISA_ID=x86_64_v4 -P dense_symbols_check.cmake
foreach(object ${OBJECTS})
  execute_process(COMMAND "${NM}" -C --defined-only "${object}" OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${object}")
  endif()
  string(REPLACE "\n" ";" lines "${listing}")
  set(seen_own 0)
  foreach(line ${lines})
    # "<address> <type> <name>": upper-case types, and u/v/w, are visible to the linker; lower-case ones are local.
    if(NOT line MATCHES "^[0-9a-f]* ([A-Zuvw]) (.*)$")
      continue()
    endif()
    set(name "${CMAKE_MATCH_2}")
    if(name MATCHES "Eigen_${ISA_ID}::|vitrine::dense_${ISA_ID}::")
      set(seen_own 1)
    elseif(NOT name STREQUAL "DW.ref.__gxx_personality_v0")  # a pointer to the C++ runtime, the same in every copy
      message(FATAL_ERROR "${object} (the ${ISA_ID} copy) defines '${name}' outside its own namespaces")
    endif()
  endforeach()
  if(NOT seen_own)
    message(FATAL_ERROR "${object} defines nothing in vitrine::dense_${ISA_ID}: is it the right object?")
  endif()
endforeach()
message(STATUS "the ${ISA_ID} copy keeps every linker-visible symbol in its own namespaces")
