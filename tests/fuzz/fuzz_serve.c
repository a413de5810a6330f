/* fuzz_serve.c - libFuzzer harness for the what-if server's request
 * handler (imv_serve_api, what the daemon calls after its HTTP checks):
 * the first byte picks the endpoint, the rest is the body.  Properties:
 * every answer has a status from the documented set and a body that is
 * one JSON object (or the report's HTML), an error answer carries
 * {"error": {"status", "message"}} with its own status, and nothing
 * crashes, leaks or hangs.  Draws are capped low here (the first byte's
 * high bit) so a run explores bodies rather than Monte Carlo. */
#include <cjson/cJSON.h>

#include "fuzz_common.h"
#include "serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static imv_registry *reg;
static imv_serve *srv;

static void start(void)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_limits l;
    imv_limits_default(&l);
    reg = imv_registry_new(&l);
    const char *dir = getenv("IMEVAL_MODELS_DIR");
    imv_registry_load_dir(reg, dir && *dir ? dir : "build-fuzz/models", 1, &d);
    imv_serve_opts o = {.workers = 1};
    FUZZ_CHECK(imv_serve_new(reg, &o, &srv, &d) == 0);
    imv_diags_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {"/api/evaluate", "/api/sensitivity", "/api/diff",
                                        "/api/charts",   "/api/report",      "/api/scenario",
                                        "/api/decision", "/api/nothing"};
    if (!srv)
        start();
    if (size == 0)
        return 0;
    const char *path = paths[data[0] % 8];
    /* sensitivity and the report are slow; the fuzzer spends its time on parsing */
    if ((data[0] & 0x80) == 0 && (data[0] % 8 == 1 || data[0] % 8 == 4))
        path = "/api/evaluate";
    imv_serve_reply r;
    imv_serve_api(srv, "POST", path, (const char *)data + 1, size - 1, &r);
    static const int ok[] = {200, 201, 400, 404, 409, 413, 422, 500, 503};
    int known = 0;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        known |= r.status == ok[i];
    FUZZ_CHECK(known);
    FUZZ_CHECK(r.body && strlen(r.body) == r.len);
    if (r.type && strncmp(r.type, "text/html", 9) == 0) {
        FUZZ_CHECK(r.status == 200 && strncmp(r.body, "<!DOCTYPE html>", 15) == 0);
    } else {
        cJSON *doc = cJSON_Parse(r.body);
        FUZZ_CHECK(cJSON_IsObject(doc));
        if (r.status >= 400) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
            const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
            FUZZ_CHECK(cJSON_IsNumber(st) && st->valueint == r.status);
            FUZZ_CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "message")));
        }
        cJSON_Delete(doc);
    }
    imv_serve_reply_clear(&r);
    return 0;
}
