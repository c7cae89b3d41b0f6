// The seed's invoice extraction, from an image: the sample draws a small invoice (a PNG made
// here, with a 5x7 pixel font), reads it back with content_part::image_file and asks for an
// Invoice. The file's bytes go as a base64 data URL (chat and Responses) or a base64 image
// block (Anthropic); the validator checks that the line items add up to the total.
#include "sample_endpoint.hpp"

#include <instructor/instructor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/crc.hpp>
#include <boost/describe.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace ins = instructor;

struct LineItem {
    std::string description;
    double amount;
};
BOOST_DESCRIBE_STRUCT(LineItem, (), (description, amount))

struct Invoice {
    std::string invoice_number;
    std::string date;  // as printed
    double total;
    std::vector<LineItem> line_items;

    void validate(ins::validation_context& ctx) const
    {
        double sum = 0;
        for (auto const& item : line_items)
            sum += item.amount;
        if (!line_items.empty() && std::abs(sum - total) > 0.005)
            ctx.fail("total", "the line items add up to " + std::to_string(sum) +
                                  ", not the total; read the amounts again");
    }
};
BOOST_DESCRIBE_STRUCT(Invoice, (), (invoice_number, date, total, line_items))

// ---- a tiny PNG writer: 8-bit grey, one zlib stream of stored (uncompressed) blocks ----

using glyph = std::array<char const*, 7>;

std::map<char, glyph> const font{
    {'0', {".XXX.", "X...X", "X..XX", "X.X.X", "XX..X", "X...X", ".XXX."}},
    {'1', {"..X..", ".XX..", "..X..", "..X..", "..X..", "..X..", ".XXX."}},
    {'2', {".XXX.", "X...X", "....X", "...X.", "..X..", ".X...", "XXXXX"}},
    {'4', {"...X.", "..XX.", ".X.X.", "X..X.", "XXXXX", "...X.", "...X."}},
    {'5', {"XXXXX", "X....", "XXXX.", "....X", "....X", "X...X", ".XXX."}},
    {'6', {"..XX.", ".X...", "X....", "XXXX.", "X...X", "X...X", ".XXX."}},
    {'9', {".XXX.", "X...X", "X...X", ".XXXX", "....X", "...X.", ".XX.."}},
    {'A', {".XXX.", "X...X", "X...X", "XXXXX", "X...X", "X...X", "X...X"}},
    {'C', {".XXX.", "X...X", "X....", "X....", "X....", "X...X", ".XXX."}},
    {'D', {"XXXX.", "X...X", "X...X", "X...X", "X...X", "X...X", "XXXX."}},
    {'E', {"XXXXX", "X....", "X....", "XXXX.", "X....", "X....", "XXXXX"}},
    {'I', {".XXX.", "..X..", "..X..", "..X..", "..X..", "..X..", ".XXX."}},
    {'K', {"X...X", "X..X.", "X.X..", "XX...", "X.X..", "X..X.", "X...X"}},
    {'L', {"X....", "X....", "X....", "X....", "X....", "X....", "XXXXX"}},
    {'N', {"X...X", "XX..X", "X.X.X", "X..XX", "X...X", "X...X", "X...X"}},
    {'O', {".XXX.", "X...X", "X...X", "X...X", "X...X", "X...X", ".XXX."}},
    {'T', {"XXXXX", "..X..", "..X..", "..X..", "..X..", "..X..", "..X.."}},
    {'V', {"X...X", "X...X", "X...X", "X...X", "X...X", ".X.X.", "..X.."}},
    {'#', {".X.X.", ".X.X.", "XXXXX", ".X.X.", "XXXXX", ".X.X.", ".X.X."}},
    {'.', {".....", ".....", ".....", ".....", ".....", ".XX..", ".XX.."}},
    {'-', {".....", ".....", ".....", "XXXXX", ".....", ".....", "....."}},
};

/// The lines in black on white, each glyph 5x7 pixels scaled by `scale`.
std::vector<std::vector<std::uint8_t>> draw(std::vector<std::string> const& lines, int scale)
{
    std::size_t longest = 0;
    for (auto const& l : lines)
        longest = std::max(longest, l.size());
    auto const margin = 4 * scale;
    std::size_t const width = 2 * margin + longest * 6 * scale;
    std::size_t const height = 2 * margin + lines.size() * 10 * scale;
    std::vector<std::vector<std::uint8_t>> px(height, std::vector<std::uint8_t>(width, 255));
    for (std::size_t row = 0; row < lines.size(); ++row)
        for (std::size_t col = 0; col < lines[row].size(); ++col) {
            auto g = font.find(lines[row][col]);
            if (g == font.end())
                continue;  // a space
            for (int y = 0; y < 7 * scale; ++y)
                for (int x = 0; x < 5 * scale; ++x)
                    if (g->second[y / scale][x / scale] == 'X')
                        px[margin + row * 10 * scale + y][margin + col * 6 * scale + x] = 0;
        }
    return px;
}

void put32(std::string& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void chunk(std::string& png, char const* type, std::string const& data)
{
    put32(png, static_cast<std::uint32_t>(data.size()));
    std::string body = std::string(type, 4) + data;
    boost::crc_32_type crc;
    crc.process_bytes(body.data(), body.size());
    png += body;
    put32(png, crc.checksum());
}

std::string png_of(std::vector<std::vector<std::uint8_t>> const& px)
{
    std::string raw;  // each row: filter 0, then its pixels
    for (auto const& row : px) {
        raw.push_back(0);
        raw.append(row.begin(), row.end());
    }
    std::string z = "\x78\x01";  // zlib, no compression
    for (std::size_t at = 0; at < raw.size(); at += 65535) {
        auto const n = static_cast<std::uint16_t>(std::min<std::size_t>(65535, raw.size() - at));
        z.push_back(at + n == raw.size() ? 1 : 0);  // BFINAL, BTYPE 00 (stored)
        z.push_back(static_cast<char>(n & 0xff));
        z.push_back(static_cast<char>(n >> 8));
        z.push_back(static_cast<char>(~n & 0xff));
        z.push_back(static_cast<char>((~n >> 8) & 0xff));
        z.append(raw, at, n);
    }
    std::uint32_t a = 1, b = 0;  // Adler-32
    for (unsigned char c : raw) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    put32(z, (b << 16) | a);

    std::string header;
    put32(header, static_cast<std::uint32_t>(px.at(0).size()));
    put32(header, static_cast<std::uint32_t>(px.size()));
    header += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit grey, deflate, no interlace
    std::string png = "\x89PNG\r\n\x1a\n";
    chunk(png, "IHDR", header);
    chunk(png, "IDAT", z);
    chunk(png, "IEND", "");
    return png;
}

asio::awaitable<int> extract(sample::endpoint& ep, std::filesystem::path image)
{
    // On the mock (which cannot read images), what a model reads off this invoice.
    ep.script_answer<Invoice>(
        R"({"invoice_number": "1042", "date": "2026-11-29", "total": 99.5,
            "line_items": [{"description": "TEA", "amount": 4.5},
                           {"description": "CAKE", "amount": 95.0}]})");

    ins::request req{
        .model = ep.model("invoice-extractor"),
        .messages = {ins::message::user({ins::content_part::from_text(
                                             "Extract the invoice data from this image."),
                                         ins::content_part::image_file(image, "high")})},
    };
    Invoice invoice = co_await ep.client().create<Invoice>(req);
    std::cout << "Invoice " << invoice.invoice_number << " of " << invoice.date << ": total "
              << invoice.total << "\n";
    for (auto const& item : invoice.line_items)
        std::cout << "  " << item.description << ": " << item.amount << "\n";

    if (auto* mock = ep.mock()) {  // what was sent: the image as a data URL
        auto const body = boost::json::parse(mock->requests().at(0).body);
        auto const& part = body.at("messages").at(0).at("content").at(1);
        std::string const url(part.at("image_url").at("url").as_string());
        std::cout << "sent: " << part.at("type").as_string().c_str() << " part, "
                  << url.substr(0, url.find(',') + 1) << "... (" << url.size() << " chars)\n";
    }
    co_return 0;
}

int main()
{
    auto const image = std::filesystem::temp_directory_path() / "instructor_sample_invoice.png";
    {
        std::ofstream out(image, std::ios::binary);
        out << png_of(draw({"INVOICE #1042", "DATE 2026-11-29", "TEA 4.50", "CAKE 95.00",
                            "TOTAL 99.50"},
                           3));
    }
    std::cout << "drew " << image.string() << " (" << std::filesystem::file_size(image)
              << " bytes)\n";

    asio::io_context ioc;
    sample::endpoint ep(ioc.get_executor(), {.mode = ins::mode::tools});
    auto result = asio::co_spawn(ioc, extract(ep, image), asio::use_future);
    ioc.run();
    std::filesystem::remove(image);
    return sample::exit_code(result);
}
