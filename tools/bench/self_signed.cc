#include "self_signed.h"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdlib>

namespace journaldb::bench {

Result<CertificateFiles> MakeSelfSignedCertificate(const std::string& dir) {
  CertificateFiles files{dir + "/server.pem", dir + "/server.key"};
  const std::string command = fmt::format(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
      "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost "
      "-keyout '{}' -out '{}' 2>/dev/null",
      files.key_path, files.cert_path);
  const int rc = std::system(command.c_str());
  if (rc != 0)
    return Status::IOError(fmt::format(
        "making a self-signed certificate with the openssl command failed ({}): is openssl "
        "installed?",
        WIFEXITED(rc) ? fmt::format("exit {}", WEXITSTATUS(rc)) : std::string("killed")));
  return files;
}

}  // namespace journaldb::bench
