// tools/output_escaping.hpp: what instructor-batch prints of a server's words. No control
// character reaches a terminal; no CSV cell starts a spreadsheet formula.
#include "output_escaping.hpp"

#include <gtest/gtest.h>

namespace output_escaping_test {

using tools::csv_cell;
using tools::terminal_text;

TEST(OutputEscaping, TerminalTextEscapesEveryControl)
{
    EXPECT_EQ(terminal_text("batch_1 completed"), "batch_1 completed");
    EXPECT_EQ(terminal_text("\x1b]0;pwned\x07\x1b[2J"), "\\x1b]0;pwned\\x07\\x1b[2J");
    EXPECT_EQ(terminal_text("a\nb\rc\td"), "a\\x0ab\\x0dc\\x09d");  // no faked lines
    EXPECT_EQ(terminal_text(std::string_view("a\0b", 3)), "a\\x00b");
    EXPECT_EQ(terminal_text("del\x7f"), "del\\x7f");
    EXPECT_EQ(terminal_text("csi\xc2\x9b" "31m"), "csi\\xc2\\x9b31m");  // U+009B, a C1 control
    EXPECT_EQ(terminal_text("raw\x9b" "31m"), "raw\\x9b31m");          // not UTF-8: a lone byte
    EXPECT_EQ(terminal_text("\xed\xa0\x80"), "\\xed\\xa0\\x80");        // a surrogate
    // Text in any script passes as it is.
    EXPECT_EQ(terminal_text("Zoë, Ādam, 東京, 🙂, \xc2\xa0nbsp"), "Zoë, Ādam, 東京, 🙂, \xc2\xa0nbsp");
}

TEST(OutputEscaping, CsvCellsNeverStartAFormula)
{
    EXPECT_EQ(csv_cell("Alice"), "Alice");
    EXPECT_EQ(csv_cell(""), "");
    EXPECT_EQ(csv_cell("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    EXPECT_EQ(csv_cell("+1+cmd|' /C calc'!A0"), "\"'+1+cmd|' /C calc'!A0\"");
    EXPECT_EQ(csv_cell("-2+3"), "\"'-2+3\"");
    EXPECT_EQ(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
    EXPECT_EQ(csv_cell("\t=1"), "\"'\t=1\"");
    EXPECT_EQ(csv_cell("\r=1"), "\"'\r=1\"");
    // Numbers stay numbers.
    EXPECT_EQ(csv_cell("-5"), "-5");
    EXPECT_EQ(csv_cell("-2.5e-3"), "-2.5e-3");
    EXPECT_EQ(csv_cell("+7"), "+7");
    EXPECT_EQ(csv_cell("-"), "\"'-\"");
    EXPECT_EQ(csv_cell("-1e"), "\"'-1e\"");
    // Quoting as RFC 4180 has it; a formula character inside a cell is harmless.
    EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_cell("a=b"), "a=b");
    // Control characters other than tab, CR and LF are escaped.
    EXPECT_EQ(csv_cell("red\x1b[31m"), "red\\x1b[31m");
    EXPECT_EQ(csv_cell("\x1b=1"), "\\x1b=1");  // escaped first: no longer a formula's start
}

}  // namespace output_escaping_test
