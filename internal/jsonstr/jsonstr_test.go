package jsonstr

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Both forms write exactly what encoding/json writes, every ASCII byte and
// the non-ASCII cases (invalid UTF-8, U+2028/U+2029) included.
func TestAppendMatchesEncodingJSON(t *testing.T) {
	var all strings.Builder
	for c := range 0x80 {
		all.WriteByte(byte(c))
	}
	cases := []string{"", "Hélène Côté", `a"b\c`, "tab\there\nnl\r\b\f", "\x00\x01\x1f\x7f",
		"<script>&amp;</script>", "bad \xff utf8\xc3", "\u2028line\u2029", "日本語 🙂", all.String()}
	for _, s := range cases {
		for _, html := range []bool{false, true} {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(html)
			if err := enc.Encode(s); err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(buf.String(), "\n")
			got := string(Append([]byte("x"), s))
			if html {
				got = string(AppendHTMLSafe([]byte("x"), s))
			}
			if got != "x"+want {
				t.Errorf("html=%v %q: got %s, want x%s", html, s, got, want)
			}
		}
	}
}
