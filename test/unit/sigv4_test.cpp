// AWS Signature Version 4 against AWS's published test suite (awslabs/aws-c-auth
// tests/aws-signing-test-suite/v4, the same vectors as botocore's aws4_testsuite): the
// credentials, region, service and date of the suite, each case's canonical request and
// Authorization header as published. And the Bedrock-shaped requests we send (a model id and an
// ARN in the path, a session token), whose signatures the official JavaScript signer
// (@smithy/signature-v4) gives; the sdk_sigv4 test checks them against it on every run.
#include "protocol/bedrock/sigv4.hpp"

#include <instructor/error.hpp>

#include <gtest/gtest.h>

namespace sigv4_test {

namespace ins = instructor;
namespace det = ins::detail;

namespace {

ins::aws_credentials const suite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}, {}};
constexpr std::string_view date = "20150830T123600Z";
constexpr std::string_view empty_hash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

det::sigv4_signature sign(std::string_view method, std::string_view target,
                          std::vector<ins::net::header> headers = {}, std::string_view body = {},
                          ins::aws_credentials const& creds = suite)
{
    return det::sigv4_sign(creds, "service", "us-east-1",
                           {method, "example.amazonaws.com", target, std::move(headers), body}, date);
}

std::string auth(std::string_view signed_headers, std::string_view signature)
{
    return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
           "SignedHeaders=" + std::string(signed_headers) + ", Signature=" + std::string(signature);
}

std::string creq(std::string_view method, std::string_view path, std::string_view query,
                 std::string_view headers, std::string_view signed_headers,
                 std::string_view hash = empty_hash)
{
    return std::string(method) + "\n" + std::string(path) + "\n" + std::string(query) + "\n" +
           std::string(headers) + "\n" + std::string(signed_headers) + "\n" + std::string(hash);
}

}  // namespace

TEST(SigV4, GetVanilla)
{
    auto const s = sign("GET", "/");
    EXPECT_EQ(s.canonical_request,
              creq("GET", "/", "", "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n",
                   "host;x-amz-date"));
    EXPECT_EQ(s.string_to_sign,
              "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
              "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    EXPECT_EQ(s.authorization,
              auth("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    ASSERT_EQ(s.headers.size(), 2u);
    EXPECT_EQ(s.headers[0].name, "Authorization");
    EXPECT_EQ(s.headers[1].name, "X-Amz-Date");
    EXPECT_EQ(s.headers[1].value, date);
}

TEST(SigV4, PostVanillaAndItsQuery)
{
    EXPECT_EQ(sign("POST", "/").signature,
              "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    EXPECT_EQ(sign("POST", "/?Param1=value1").signature,
              "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11");
}

TEST(SigV4, QueryParametersAreSortedAndEncoded)
{
    auto const s = sign("GET", "/?Param2=value2&Param1=value1");
    EXPECT_EQ(s.canonical_request,
              creq("GET", "/", "Param1=value1&Param2=value2",
                   "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n", "host;x-amz-date"));
    EXPECT_EQ(s.signature, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
    // A '+' is a plus sign, not a space.
    EXPECT_NE(sign("GET", "/?a=b+c").canonical_request.find("\na=b%2Bc\n"), std::string::npos);
    // The suite's "ሴ=bar", as a client sends it (percent-encoded): decoded and encoded again.
    EXPECT_EQ(sign("GET", "/?%E1%88%B4=bar").signature,
              "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04");
}

TEST(SigV4, PathsAreNormalisedAndEncoded)
{
    EXPECT_EQ(sign("GET", "/\xE1\x88\xB4").signature,
              "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
    auto const space = sign("GET", "/example space/");
    EXPECT_NE(space.canonical_request.find("\n/example%20space/\n"), std::string::npos);
    EXPECT_EQ(space.signature, "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741");
    EXPECT_EQ(sign("GET", "/example1/example2/../..").signature,
              "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    EXPECT_EQ(sign("GET", "//example//").signature,
              "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84");
    EXPECT_EQ(sign("GET", "/./").signature,
              "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    EXPECT_EQ(sign("GET", "/example/$delete").signature,
              "a853c9b21b528b19643d00910d35b83a10c366a10833ceefb45edd6c80e40f27");
}

TEST(SigV4, HeaderValuesAreTrimmedAndFolded)
{
    auto const s = sign("GET", "/", {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}});
    EXPECT_EQ(s.canonical_request,
              creq("GET", "/", "",
                   "host:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
                   "x-amz-date:20150830T123600Z\n",
                   "host;my-header1;my-header2;x-amz-date"));
    EXPECT_EQ(s.authorization,
              auth("host;my-header1;my-header2;x-amz-date",
                   "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
    EXPECT_EQ(sign("GET", "/", {{"My-Header1", "value1\n  value2\n     value3"}}).signature,
              "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd");
}

TEST(SigV4, ABodyIsHashedIntoTheSignature)
{
    auto const s = sign("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}},
                        "Param1=value1");
    EXPECT_EQ(s.authorization,
              auth("content-type;host;x-amz-date",
                   "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST(SigV4, ASessionTokenIsSentAndSigned)
{
    auto creds = suite;
    creds.session_token =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfp"
        "SPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQ"
        "DYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
        "scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
    auto const s = sign("POST", "/", {}, {}, creds);
    EXPECT_EQ(s.authorization,
              auth("host;x-amz-date;x-amz-security-token",
                   "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"));
    ASSERT_EQ(s.headers.size(), 3u);
    EXPECT_EQ(s.headers[2].name, "X-Amz-Security-Token");
    EXPECT_EQ(s.headers[2].value, creds.session_token);
}

TEST(SigV4, BedrockRequestsEncodeTheModelIdTwiceInTheCanonicalPath)
{
    std::string const body = R"({"messages":[{"role":"user","content":[{"text":"Hello"}]}]})";
    std::vector<ins::net::header> const headers{{"content-length", "59"},
                                                {"content-type", "application/json"}};
    auto bedrock = [&](std::string_view target, ins::aws_credentials const& creds,
                       std::vector<ins::net::header> extra = {}) {
        auto hs = headers;
        hs.insert(hs.end(), extra.begin(), extra.end());
        return det::sigv4_sign(creds, "bedrock", "us-east-1",
                               {"POST", "bedrock-runtime.us-east-1.amazonaws.com", target, hs, body},
                               date);
    };
    auto const plain = bedrock("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", suite);
    EXPECT_NE(plain.canonical_request.find(
                  "\n/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse\n"),
              std::string::npos);
    EXPECT_EQ(plain.signature, "2bb782760e18e03889070f5cdb7c17800d1d9fdc6dc1b162418cf5b6937429c6");
    auto const arn = bedrock(
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic."
        "claude-3-7-sonnet-20250219-v1%3A0/converse",
        suite);
    EXPECT_EQ(arn.signature, "24d47fa6b6a013735ea6438b93f327b4e737b926464ac3a2db0769ccb3ca95f1");
    auto with_token = suite;
    with_token.session_token = "SESSIONTOKEN/+=";
    auto const stream = bedrock(
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream", with_token,
        {{"x-amz-content-sha256", "7421da8d1a0949a481724fee62d5886aacde03836bf58248adb73e8b61ac0d54"}});
    EXPECT_EQ(stream.signature, "b291b3781260ab1a5d8b0443a35fbdc632cef7bebe20a5af449bbf49ec0e8987");
    // And what our wire sends for that model id: the path a client writes, encoded once.
    EXPECT_EQ(det::aws_uri_encode("arn:aws:bedrock:us-east-1:123456789012:inference-profile/x"),
              "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fx");
}

TEST(SigV4, WhatCannotBeSignedIsRefused)
{
    auto code = [](auto&& f) {
        try {
            f();
        }
        catch (ins::error const& e) {
            return e.code_enum();
        }
        return ins::errc{};
    };
    EXPECT_EQ(code([] { (void)sign("GET", "/", {}, {}, {"", "secret", {}, {}}); }),
              ins::errc::missing_api_key);
    EXPECT_EQ(code([] {
                  (void)det::sigv4_sign(suite, "bedrock", "", {"GET", "h", "/", {}, {}}, date);
              }),
              ins::errc::invalid_argument);
    EXPECT_EQ(code([] {
                  (void)det::sigv4_sign(suite, "bedrock", "us-east-1", {"GET", "h", "/", {}, {}},
                                        "2015-08-30");
              }),
              ins::errc::invalid_argument);
    EXPECT_EQ(det::region_of_host("bedrock-runtime.us-west-2.amazonaws.com"), "us-west-2");
    EXPECT_EQ(det::region_of_host("bedrock-runtime-fips.us-east-1.amazonaws.com"), "us-east-1");
    EXPECT_EQ(det::region_of_host("127.0.0.1"), "");
    EXPECT_EQ(det::region_of_host("bedrock.evil.example.com"), "");
    EXPECT_EQ(det::amz_date_now().size(), 16u);
}

}  // namespace sigv4_test
