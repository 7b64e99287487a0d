// The HTTP probe: the one file of observe/ that includes cpp-httplib.
#include <arpa/inet.h>
#include <httplib.h>
#include <netdb.h>

#include <cstring>

#include "observe/probes.h"

namespace tandem::observe {
namespace {

constexpr int kTimeoutSeconds = 2;

bool LocalIpv4(const in_addr& address) {
  uint32_t a = ntohl(address.s_addr);
  return (a >> 24) == 127 || (a >> 24) == 10 || (a >> 20) == 0xAC1 ||  // 172.16/12
         (a >> 16) == 0xC0A8 || (a >> 16) == 0xA9FE;                   // 192.168/16, 169.254/16
}

bool LocalIpv6(const in6_addr& address) {
  const unsigned char* b = address.s6_addr;
  if (IN6_IS_ADDR_LOOPBACK(&address) || IN6_IS_ADDR_LINKLOCAL(&address)) return true;
  if ((b[0] & 0xFE) == 0xFC) return true;  // unique local, fc00::/7
  if (IN6_IS_ADDR_V4MAPPED(&address)) {
    in_addr v4;
    std::memcpy(&v4, b + 12, 4);
    return LocalIpv4(v4);
  }
  return false;
}

// kInvalidInput unless every address `host` resolves to is on the local
// network: a probe must not send the window's questions out of it.
Status RequireLocal(const std::string& name, const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int error = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (error != 0) {
    return Status::Error(ErrorKind::kDatabase, "probe \"" + name + "\": cannot resolve host \"" +
                                                   host + "\": " + gai_strerror(error));
  }
  bool local = found != nullptr;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      local = local && LocalIpv4(reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr);
    } else if (a->ai_family == AF_INET6) {
      local = local && LocalIpv6(reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    }
  }
  freeaddrinfo(found);
  if (local) return Status::Ok();
  return Status::InvalidInput("probe \"" + name + "\": host \"" + host +
                              "\" is not on the local network (loopback, 10/8, 172.16/12, "
                              "192.168/16, link-local); point the probe at a local endpoint");
}

class HttpProbe : public UserProbe {
 public:
  explicit HttpProbe(plan::ProbeSettings settings) : settings_(std::move(settings)) {
    // http://host[:port]/path: the part after the scheme up to the first '/'.
    std::string rest = settings_.http.substr(std::strlen("http://"));
    size_t slash = rest.find('/');
    authority_ = rest.substr(0, slash);
    path_ = slash == std::string::npos ? "/" : rest.substr(slash);
    size_t colon = authority_.rfind(':');
    bool bracketed = !authority_.empty() && authority_.front() == '[';
    size_t end = colon != std::string::npos && (!bracketed || colon > authority_.find(']'))
                     ? colon
                     : authority_.size();
    host_ = authority_.substr(bracketed ? 1 : 0, end - (bracketed ? 2 : 0));
  }

  Result<Reading> Read() override {
    TANDEM_RETURN_IF_ERROR(RequireLocal(settings_.name, host_));
    httplib::Client client("http://" + authority_);
    client.set_connection_timeout(kTimeoutSeconds, 0);
    client.set_read_timeout(kTimeoutSeconds, 0);
    client.set_write_timeout(kTimeoutSeconds, 0);
    auto response = client.Get(path_);
    if (!response) {
      return Status::Error(ErrorKind::kConnection,
                           "probe \"" + settings_.name + "\": GET " + settings_.http +
                               " failed: " + httplib::to_string(response.error()));
    }
    if (response->status != 200) {
      return Status::Error(ErrorKind::kDatabase, "probe \"" + settings_.name + "\": GET " +
                                                     settings_.http + " answered HTTP " +
                                                     std::to_string(response->status));
    }
    TANDEM_ASSIGN_OR_RETURN(double value, ProbeNumber(settings_, response->body, "the URL"));
    return ProbeReading(settings_, value);
  }

 private:
  plan::ProbeSettings settings_;
  std::string authority_;
  std::string host_;
  std::string path_;
};

}  // namespace

std::unique_ptr<UserProbe> MakeHttpProbe(const plan::ProbeSettings& settings) {
  return std::make_unique<HttpProbe>(settings);
}

}  // namespace tandem::observe
