/*
 * check_sha256.c - SHA-256 against the FIPS 180-2 appendix B test vectors
 * (one block, two blocks, a million 'a'), the empty message, lengths
 * around the padding boundary (55, 56, 63, 64 bytes) against sha256sum,
 * streaming in every split equal to one shot, and files; all of it twice:
 * on the CPU's SHA instructions where it has them, and on the portable
 * rounds (imv_sha256_use_portable), which must agree on any input.
 */
#include "sha256.h"
#include "testutil.h"

static void expect_hex(const void *data, size_t len, const char *want)
{
    unsigned char d[32];
    char hex[IMV_SHA256_HEX];
    imv_sha256(data, len, d);
    ck_assert_str_eq(imv_sha256_hex(d, hex), want);
}

START_TEST(sha256__fips_180_2_one_block)
{
    expect_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(sha256__fips_180_2_two_blocks)
{
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect_hex(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(sha256__fips_180_2_million_a_streamed)
{
    /* Fed in uneven pieces so partial blocks are carried across calls. */
    imv_sha256_ctx c;
    imv_sha256_init(&c);
    char buf[997];
    memset(buf, 'a', sizeof buf);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof buf ? left : sizeof buf;
        imv_sha256_update(&c, buf, n);
        left -= n;
    }
    unsigned char d[32];
    char hex[IMV_SHA256_HEX];
    imv_sha256_final(&c, d);
    ck_assert_str_eq(imv_sha256_hex(d, hex),
                     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(sha256__empty_message)
{
    expect_hex(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    imv_sha256_ctx c;
    imv_sha256_init(&c);
    imv_sha256_update(&c, NULL, 0);
    unsigned char d[32];
    char hex[IMV_SHA256_HEX];
    imv_sha256_final(&c, d);
    ck_assert_str_eq(imv_sha256_hex(d, hex),
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

/* The digest of a temporary file of n bytes of pattern, by sha256sum. */
static void sha256sum_of(const unsigned char *data, size_t n, char want[IMV_SHA256_HEX],
                         unsigned char file_digest[32])
{
    char *path = tu_write_temp((const char *)data, n, ".bin");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sha256sum %s", path);
    char *out = NULL;
    ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
    ck_assert_msg(strlen(out) >= 64, "sha256sum printed: %s", out);
    memcpy(want, out, 64);
    want[64] = '\0';
    ck_assert_int_eq(imv_sha256_file(path, file_digest), 0);
    free(out);
    unlink(path);
    free(path);
}

START_TEST(sha256__padding_boundaries_match_sha256sum)
{
    static const size_t lens[] = {1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70000};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t n = lens[k];
        unsigned char *data = malloc(n);
        for (size_t i = 0; i < n; i++)
            data[i] = (unsigned char)(i * 7 + 3);
        char want[IMV_SHA256_HEX], hex[IMV_SHA256_HEX];
        unsigned char d[32], fd[32];
        sha256sum_of(data, n, want, fd);
        imv_sha256(data, n, d);
        ck_assert_msg(strcmp(imv_sha256_hex(d, hex), want) == 0, "length %zu: %s, want %s", n, hex,
                      want);
        ck_assert_str_eq(imv_sha256_hex(fd, hex), want);
        free(data);
    }
}
END_TEST

START_TEST(sha256__every_split_equals_one_shot)
{
    unsigned char data[200];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(255 - i);
    unsigned char whole[32];
    imv_sha256(data, sizeof data, whole);
    for (size_t a = 0; a <= sizeof data; a++) {
        for (size_t b = a; b <= sizeof data; b += 13) {
            imv_sha256_ctx c;
            imv_sha256_init(&c);
            imv_sha256_update(&c, data, a);
            imv_sha256_update(&c, data + a, b - a);
            imv_sha256_update(&c, data + b, sizeof data - b);
            unsigned char d[32];
            imv_sha256_final(&c, d);
            ck_assert_msg(memcmp(d, whole, 32) == 0, "split at %zu,%zu differs", a, b);
        }
    }
}
END_TEST

START_TEST(sha256__missing_file_is_an_error)
{
    unsigned char d[32];
    memset(d, 0xAB, sizeof d);
    ck_assert_int_eq(imv_sha256_file("/nonexistent/imeval/nothing.json", d), -1);
    ck_assert_int_eq(d[0], 0xAB); /* left untouched */
}
END_TEST

/* The two ways of compressing agree on every length from 0 to 1,100
 * bytes and on a megabyte, of bytes that are not a pattern. */
START_TEST(sha256__cpu_and_portable_agree)
{
    static unsigned char data[1 << 20];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof data; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (unsigned char)x;
    }
    for (size_t n = 0; n <= 1101; n++) {
        if (n == 1101)
            n = sizeof data; /* and last, the megabyte */
        unsigned char a[32], b[32];
        imv_sha256_use_portable(0);
        imv_sha256(data, n, a);
        imv_sha256_use_portable(1);
        imv_sha256(data, n, b);
        ck_assert_msg(memcmp(a, b, 32) == 0, "the two differ on %zu bytes", n);
    }
    imv_sha256_use_portable(0);
}
END_TEST

static void portable_on(void)
{
    imv_sha256_use_portable(1);
}

static void portable_off(void)
{
    imv_sha256_use_portable(0);
}

static void add_vectors(TCase *tc)
{
    tcase_add_test(tc, sha256__fips_180_2_one_block);
    tcase_add_test(tc, sha256__fips_180_2_two_blocks);
    tcase_add_test(tc, sha256__fips_180_2_million_a_streamed);
    tcase_add_test(tc, sha256__empty_message);
    tcase_add_test(tc, sha256__padding_boundaries_match_sha256sum);
    tcase_add_test(tc, sha256__every_split_equals_one_shot);
}

int main(void)
{
    Suite *s = suite_create("sha256");
    TCase *tp = tcase_create("portable");
    tcase_add_checked_fixture(tp, portable_on, portable_off);
    add_vectors(tp);
    tcase_add_test(tp, sha256__cpu_and_portable_agree);
    suite_add_tcase(s, tp);
    TCase *tc = tcase_create("sha256");
    add_vectors(tc);
    tcase_add_test(tc, sha256__missing_file_is_an_error);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
