#include <curl/curl.h>

#include <unordered_set>
#include <utility>
#include <vector>

#include "fetch/curl_global.h"
#include "fetch/transfers.h"

namespace dejima::fetch {
namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

class CurlTransfers final : public Transfers {
 public:
  explicit CurlTransfers(long max_host_connections) {
    init_curl();
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, max_host_connections);
  }

  ~CurlTransfers() override {
    for (Transfer* t : std::vector<Transfer*>(live_.begin(), live_.end())) release(t);
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi_);
  }

  void start(Post post, PostDone done) override {
    if (auto st = egress_policy()->check_host(url_host(post.url)); !st) {
      finished_.emplace_back(std::move(done), "refused by the egress policy: " + st.error().detail);
      return;
    }
    CURL* easy = nullptr;
    if (idle_.empty()) {
      easy = curl_easy_init();
    } else {
      easy = idle_.back();
      idle_.pop_back();
      curl_easy_reset(easy);
    }
    auto* t = new Transfer{std::move(post), std::move(done), easy, nullptr, {egress_policy()}};
    for (const auto& [name, value] : t->post.headers)
      t->headers = curl_slist_append(t->headers, (value.empty() ? name + ":" : name + ": " + value).c_str());
    t->headers = curl_slist_append(t->headers, "Expect:");
    curl_easy_setopt(easy, CURLOPT_URL, t->post.url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->post.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(t->post.body.size()));
    if (t->post.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, t->post.method.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, t->post.timeout_ms);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    if (!t->post.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, t->post.ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    guard_egress(easy, t->egress);
    live_.insert(t);
    curl_multi_add_handle(multi_, easy);
  }

  void poll(int wait_ms) override {
    int running = 0;
    curl_multi_perform(multi_, &running);
    int left = 0;
    bool finished = !finished_.empty();
    for (auto& [done, reason] : std::exchange(finished_, {})) done(0, reason);
    while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &t);
      long status = 0;
      curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      const CURLcode rc = m->data.result;
      finished = true;
      PostDone done = std::move(t->done);
      const std::string refusal = std::move(t->egress.refusal);
      release(t);
      if (rc != CURLE_OK && !refusal.empty())
        done(0, "refused by the egress policy: " + refusal);
      else if (rc != CURLE_OK)
        done(0, curl_easy_strerror(rc));
      else
        done(status, {});
    }
    if (!finished) curl_multi_poll(multi_, nullptr, 0, wait_ms, nullptr);
  }

  void wake() override { curl_multi_wakeup(multi_); }

 private:
  // One request in flight. Connections outlive it in the multi handle's connection cache.
  struct Transfer {
    Post post;
    PostDone done;
    CURL* easy;
    curl_slist* headers;
    EgressGuard egress;
  };

  void release(Transfer* t) {
    curl_multi_remove_handle(multi_, t->easy);
    if (idle_.size() < 64)
      idle_.push_back(t->easy);
    else
      curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    live_.erase(t);
    delete t;
  }

  CURLM* multi_ = nullptr;
  std::vector<std::pair<PostDone, std::string>> finished_;  // refused before they started
  std::unordered_set<Transfer*> live_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::unique_ptr<Transfers> curl_transfers(long max_host_connections) {
  return std::make_unique<CurlTransfers>(max_host_connections);
}

std::string libcurl_version() { return curl_version_info(CURLVERSION_NOW)->version; }

}  // namespace dejima::fetch
