#ifndef TERN_CCURL_SHIM_H
#define TERN_CCURL_SHIM_H
// libcurl as a Swift module; the EtcdClient target is the only importer.
// curl_easy_setopt/curl_easy_getinfo are variadic C functions, which Swift cannot call:
// the typed inline wrappers below pass each argument kind through unchanged.
#include <curl/curl.h>

static inline CURLcode tern_curl_setopt_long(CURL *h, CURLoption opt, long value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode tern_curl_setopt_ptr(CURL *h, CURLoption opt, void *value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode tern_curl_setopt_str(CURL *h, CURLoption opt, const char *value) {
    return curl_easy_setopt(h, opt, value);
}
static inline CURLcode tern_curl_setopt_slist(CURL *h, CURLoption opt, struct curl_slist *value) {
    return curl_easy_setopt(h, opt, value);
}

/// CURLOPT_WRITEFUNCTION's prototype.
typedef size_t (*tern_curl_write_fn)(char *data, size_t size, size_t nmemb, void *userdata);
static inline CURLcode tern_curl_setopt_writefn(CURL *h, tern_curl_write_fn fn) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fn);
}

static inline CURLcode tern_curl_getinfo_long(CURL *h, CURLINFO info, long *out) {
    return curl_easy_getinfo(h, info, out);
}

/// Reads the next CURLMSG_DONE message of a multi handle: 1 and the transfer's result if one
/// was queued, 0 when none is left (CURLMsg's result sits in a union).
static inline int tern_curl_multi_next_done(CURLM *m, CURLcode *result) {
    int queued = 0;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(m, &queued)) != NULL) {
        if (msg->msg == CURLMSG_DONE) { *result = msg->data.result; return 1; }
    }
    return 0;
}
#endif
