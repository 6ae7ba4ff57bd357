package fhirpath

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// tokKind classifies a lexical token (FHIRPath N1 grammar, lexer rules).
type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tDelimIdent // `quoted identifier`
	tString
	tNumber
	tDate // @2014-01, @2014-01-02T10, @T10:00
	tExtConst
	tDollar // $this, $index, $total
	tOp     // punctuation and symbolic operators
)

type token struct {
	kind tokKind
	text string // operator text, identifier, unescaped string, literal text (without @ for dates)
	pos  int
}

// lex splits src into tokens, skipping whitespace and comments.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f':
			i++
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, syntaxErr(i, "commentaire /* non terminé")
			}
			i += end + 4
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{tIdent, src[i:j], i})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			if j+1 < len(src) && src[j] == '.' && isDigit(src[j+1]) {
				j++
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
			toks = append(toks, token{tNumber, src[i:j], i})
			i = j
		case c == '\'' || c == '`':
			s, n, err := lexQuoted(src, i)
			if err != nil {
				return nil, err
			}
			k := tString
			if c == '`' {
				k = tDelimIdent
			}
			toks = append(toks, token{k, s, i})
			i += n
		case c == '@':
			n, err := lexDate(src[i+1:])
			if err != nil {
				return nil, syntaxErr(i, err.Error())
			}
			toks = append(toks, token{tDate, src[i+1 : i+1+n], i})
			i += 1 + n
		case c == '%':
			if i+1 < len(src) && (src[i+1] == '\'' || src[i+1] == '`') {
				s, n, err := lexQuoted(src, i+1)
				if err != nil {
					return nil, err
				}
				toks = append(toks, token{tExtConst, s, i})
				i += 1 + n
				continue
			}
			j := i + 1
			for j < len(src) && (isIdentPart(src[j]) || src[j] == '-') {
				j++
			}
			if j == i+1 {
				return nil, syntaxErr(i, "nom de constante attendu après %")
			}
			toks = append(toks, token{tExtConst, src[i+1 : j], i})
			i = j
		case c == '$':
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			name := src[i:j]
			if name != "$this" && name != "$index" && name != "$total" {
				return nil, syntaxErr(i, "variable inconnue "+name)
			}
			toks = append(toks, token{tDollar, name, i})
			i = j
		default:
			op := lexOp(src[i:])
			if op == "" {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, syntaxErr(i, "caractère inattendu "+strconv.QuoteRune(r))
			}
			toks = append(toks, token{tOp, op, i})
			i += len(op)
		}
	}
	return append(toks, token{tEOF, "", len(src)}), nil
}

var ops2 = []string{"<=", ">=", "!=", "!~"}

func lexOp(s string) string {
	for _, o := range ops2 {
		if strings.HasPrefix(s, o) {
			return o
		}
	}
	switch s[0] {
	case '.', '(', ')', '[', ']', '{', '}', ',', '+', '-', '*', '/', '&', '|', '=', '~', '<', '>':
		return s[:1]
	}
	return ""
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }

// lexQuoted reads a '…' or `…` literal at src[i], returning the unescaped text
// and the number of bytes consumed (FHIRPath N1 §Literals, "String" escapes).
func lexQuoted(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		c := src[j]
		if c == q {
			return b.String(), j + 1 - i, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			j++
			continue
		}
		if j+1 >= len(src) {
			break
		}
		e := src[j+1]
		j += 2
		switch e {
		case '\'', '"', '`', '\\', '/':
			b.WriteByte(e)
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if j+4 > len(src) {
				return "", 0, syntaxErr(j, "séquence \\u incomplète")
			}
			v, err := strconv.ParseUint(src[j:j+4], 16, 32)
			if err != nil {
				return "", 0, syntaxErr(j, "séquence \\u invalide")
			}
			j += 4
			r := rune(v)
			if utf16.IsSurrogate(r) && j+6 <= len(src) && src[j] == '\\' && src[j+1] == 'u' {
				if lo, err := strconv.ParseUint(src[j+2:j+6], 16, 32); err == nil {
					if c := utf16.DecodeRune(r, rune(lo)); c != utf8.RuneError {
						r, j = c, j+6
					}
				}
			}
			b.WriteRune(r)
		default:
			return "", 0, syntaxErr(j-2, "échappement inconnu \\"+string(e))
		}
	}
	return "", 0, syntaxErr(i, "littéral non terminé")
}

// lexDate measures a date/time literal after '@': DATE ('T' TIME? TZ?)? or 'T' TIME.
func lexDate(s string) (int, error) {
	i := 0
	if i < len(s) && s[i] == 'T' {
		n := lexTime(s[1:])
		if n == 0 {
			return 0, errf("heure invalide après @T")
		}
		i = 1 + n
		if tz := lexTZ(s[i:]); tz > 0 {
			return 0, errf("une heure (@T) ne peut pas avoir de fuseau horaire")
		}
		return i, nil
	}
	if !digits(s, 0, 4) {
		return 0, errf("année à quatre chiffres attendue après @")
	}
	i = 4
	for k := 0; k < 2 && i+3 <= len(s) && s[i] == '-' && digits(s, i+1, 2); k++ {
		i += 3
	}
	if i < len(s) && s[i] == 'T' {
		i++
		n := lexTime(s[i:])
		i += n
		if n > 0 {
			i += lexTZ(s[i:])
		}
	}
	return i, nil
}

func lexTime(s string) int {
	if !digits(s, 0, 2) {
		return 0
	}
	i := 2
	for k := 0; k < 2 && i+3 <= len(s) && s[i] == ':' && digits(s, i+1, 2); k++ {
		i += 3
	}
	if i == 8 && i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i
}

func lexTZ(s string) int {
	if len(s) > 0 && s[0] == 'Z' {
		return 1
	}
	if len(s) >= 6 && (s[0] == '+' || s[0] == '-') && digits(s, 1, 2) && s[3] == ':' && digits(s, 4, 2) {
		return 6
	}
	return 0
}

func digits(s string, at, n int) bool {
	if at+n > len(s) {
		return false
	}
	for k := at; k < at+n; k++ {
		if !isDigit(s[k]) {
			return false
		}
	}
	return true
}
