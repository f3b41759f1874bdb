# etc/install.cmake - `make install` of sesh's system files, run at install
# time (install(SCRIPT) from CMakeLists.txt's Install section) so that the
# installed paths follow the install-time prefix:
#
#   <etc>/sesh/seshd_config      the commented default, only when absent
#   <etc>/init.d/seshd           LSB init script (service seshd ...)
#   <etc>/pam.d/seshd            PAM service
#   <prefix>/lib/systemd/system/seshd.service
#
# <etc> is $ENV{SESH_SYSCONFDIR} when set (staged or test installs), else
# the SESH_SYSCONFDIR cache variable (default /etc, as Debian keeps
# /etc/ssh for a /usr/local OpenSSH); a relative value is under the
# prefix. DESTDIR is honoured (file(INSTALL) prepends it). Everything but
# seshd_config goes to install_manifest.txt, so `make uninstall` removes
# it; a configuration file is kept, as `apt remove` keeps conffiles.
#
# Inputs (set by install(CODE) before this script): SESH_SRC (source
# tree), SESH_GEN (a build folder for generated files),
# SESH_SYSCONFDIR_DEFAULT.

set(_prefix "${CMAKE_INSTALL_PREFIX}")
set(_etc "${SESH_SYSCONFDIR_DEFAULT}")
if(DEFINED ENV{SESH_SYSCONFDIR} AND NOT "$ENV{SESH_SYSCONFDIR}" STREQUAL "")
  set(_etc "$ENV{SESH_SYSCONFDIR}")
endif()
if(NOT IS_ABSOLUTE "${_etc}")
  set(_etc "${_prefix}/${_etc}")
endif()
string(REGEX REPLACE "/+$" "" _etc "${_etc}")
if(_etc STREQUAL "")
  set(_etc "/")
endif()

set(SESH_ETC "${_etc}")
set(SESH_BINDIR "${_prefix}/bin")
# sesh-keygen -A makes <prefix>/etc/sesh/ssh_host_*_key (-f prefix).
if(SESH_ETC STREQUAL "/etc")
  set(SESH_KEYGEN_A "${SESH_BINDIR}/sesh-keygen -A")
elseif(SESH_ETC MATCHES "^(.*)/etc$")
  set(SESH_KEYGEN_A "${SESH_BINDIR}/sesh-keygen -A -f ${CMAKE_MATCH_1}")
else()
  # systemd turns $$ into $; the key name is ssh_host_<type>_key.
  set(SESH_KEYGEN_A "/bin/sh -c 'for t in rsa ecdsa ed25519; do k=${SESH_ETC}/sesh/ssh_host_$$t\"_key\"; [ -e $$k ] || ${SESH_BINDIR}/sesh-keygen -q -t $$t -N \"\" -f $$k; done'")
endif()

# The compiled-in HostKey defaults are /etc/sesh/...: name the keys
# when they live elsewhere.
if(SESH_ETC STREQUAL "/etc")
  set(SESH_HK "#")
else()
  set(SESH_HK "")
endif()

file(MAKE_DIRECTORY "${SESH_GEN}/init.d")
configure_file("${SESH_SRC}/etc/seshd_config.in" "${SESH_GEN}/seshd_config"
  @ONLY)
configure_file("${SESH_SRC}/etc/init.d/seshd.in" "${SESH_GEN}/init.d/seshd"
  @ONLY)
configure_file("${SESH_SRC}/etc/seshd.service.in" "${SESH_GEN}/seshd.service"
  @ONLY)

file(INSTALL "${SESH_GEN}/init.d/seshd"
  DESTINATION "${SESH_ETC}/init.d"
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
  GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
file(INSTALL "${SESH_SRC}/etc/pam.d/seshd"
  DESTINATION "${SESH_ETC}/pam.d"
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(INSTALL "${SESH_GEN}/seshd.service"
  DESTINATION "${_prefix}/lib/systemd/system"
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The configuration: never overwritten, never in the manifest.
set(_conf "$ENV{DESTDIR}${SESH_ETC}/sesh/seshd_config")
if(EXISTS "${_conf}")
  message(STATUS "Keeping: ${_conf}")
else()
  message(STATUS "Installing: ${_conf}")
  file(MAKE_DIRECTORY "$ENV{DESTDIR}${SESH_ETC}/sesh")
  file(COPY "${SESH_GEN}/seshd_config"
    DESTINATION "$ENV{DESTDIR}${SESH_ETC}/sesh"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()

# The unprivileged user of the pre-authentication sandbox (app/sandbox.h;
# seshd falls back to nobody without it): made by a real install as root
# only (no DESTDIR, the system's /etc), and kept by `make uninstall`, as
# Debian keeps a package's system user.
if("$ENV{DESTDIR}" STREQUAL "" AND SESH_ETC STREQUAL "/etc")
  execute_process(COMMAND id -u OUTPUT_VARIABLE _uid
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND getent passwd sesh RESULT_VARIABLE _have
    OUTPUT_QUIET ERROR_QUIET)
  if(_uid STREQUAL "0" AND NOT _have EQUAL 0)
    message(STATUS "Adding the system user sesh (the sandbox's uid)")
    execute_process(COMMAND useradd --system --user-group
      --home-dir /run/sesh/empty --no-create-home
      --shell /usr/sbin/nologin --comment "seshd privilege separation"
      sesh RESULT_VARIABLE _r)
    if(NOT _r EQUAL 0)
      message(WARNING "useradd sesh failed: seshd will use nobody")
    endif()
  endif()
endif()
