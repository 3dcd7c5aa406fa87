# journaldb_set_warnings(target): the project's warning flags, applied per target
# so that dependencies' headers (included as SYSTEM) stay quiet.
function(journaldb_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
endfunction()
