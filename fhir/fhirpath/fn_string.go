package fhirpath

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// String functions (N1 §5.6, FHIRPath 2.1 additions trim/split/join/encode/escape).
// They apply to a single string input; empty input or argument gives empty.

func init() {
	register("indexOf", 1, 1, strFn(func(s string, a []string) (any, error) {
		i := strings.Index(s, a[0])
		if i < 0 {
			return int64(-1), nil
		}
		return int64(utf8.RuneCountInString(s[:i])), nil
	}))
	register("substring", 1, 2, fnSubstring)
	register("startsWith", 1, 1, strFn(func(s string, a []string) (any, error) { return strings.HasPrefix(s, a[0]), nil }))
	register("endsWith", 1, 1, strFn(func(s string, a []string) (any, error) { return strings.HasSuffix(s, a[0]), nil }))
	register("contains", 1, 1, strFn(func(s string, a []string) (any, error) { return strings.Contains(s, a[0]), nil }))
	register("upper", 0, 0, strFn(func(s string, _ []string) (any, error) { return strings.ToUpper(s), nil }))
	register("lower", 0, 0, strFn(func(s string, _ []string) (any, error) { return strings.ToLower(s), nil }))
	register("replace", 2, 2, strFn(func(s string, a []string) (any, error) { return strings.ReplaceAll(s, a[0], a[1]), nil }))
	register("matches", 1, 1, strFn(func(s string, a []string) (any, error) {
		re, err := compileRegex(a[0])
		if err != nil {
			return nil, err
		}
		return re.MatchString(s), nil
	}))
	register("matchesFull", 1, 1, strFn(func(s string, a []string) (any, error) {
		re, err := compileRegex("^(?:" + a[0] + ")$")
		if err != nil {
			return nil, err
		}
		return re.MatchString(s), nil
	}))
	register("replaceMatches", 2, 2, strFn(func(s string, a []string) (any, error) {
		if a[0] == "" {
			return s, nil
		}
		re, err := compileRegex(a[0])
		if err != nil {
			return nil, err
		}
		return re.ReplaceAllString(s, a[1]), nil
	}))
	register("length", 0, 0, strFn(func(s string, _ []string) (any, error) { return int64(utf8.RuneCountInString(s)), nil }))
	register("toChars", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		v, err := c.inputSingle(in, "toChars")
		s, ok := v.(string)
		if err != nil || !ok {
			return nil, err
		}
		out := make(Collection, 0, len(s))
		for _, r := range s {
			out = append(out, string(r))
		}
		return out, nil
	})
	register("trim", 0, 0, strFn(func(s string, _ []string) (any, error) { return strings.TrimSpace(s), nil }))
	register("encode", 1, 1, strFn(encode))
	register("decode", 1, 1, strFn(decode))
	register("escape", 1, 1, strFn(escape))
	register("unescape", 1, 1, strFn(unescape))
	register("split", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		r, err := strFn(func(s string, a []string) (any, error) { return strings.Split(s, a[0]), nil })(c, in, a)
		if err != nil || len(r) == 0 {
			return nil, err
		}
		parts := r[0].([]string)
		out := make(Collection, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	})
	register("join", 0, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		sep := ""
		if len(a) == 1 {
			v, err := c.argSingle(a[0], "join")
			if err != nil {
				return nil, err
			}
			sep, _ = v.(string)
		}
		parts := make([]string, 0, len(in))
		for _, it := range in {
			s, ok := c.system(it).(string)
			if !ok {
				return nil, evalErr("join() attend des chaînes")
			}
			parts = append(parts, s)
		}
		return Collection{strings.Join(parts, sep)}, nil
	})
}

// strFn adapts a function of a string input and string arguments.
func strFn(f func(s string, args []string) (any, error)) fnImpl {
	return func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		v, err := c.inputSingle(in, "fonction de chaîne")
		if err != nil || v == nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return nil, evalErr("une chaîne est attendue, reçu %s", sysTypeName(v))
		}
		args := make([]string, len(a))
		for i, e := range a {
			x, err := c.argSingle(e, "fonction de chaîne")
			if err != nil || x == nil {
				return nil, err
			}
			if args[i], ok = x.(string); !ok {
				return nil, evalErr("argument chaîne attendu, reçu %s", sysTypeName(x))
			}
		}
		r, err := f(s, args)
		if err != nil || r == nil {
			return nil, err
		}
		return Collection{r}, nil
	}
}

func fnSubstring(c *evalCtx, in Collection, a []expr) (Collection, error) {
	v, err := c.inputSingle(in, "substring")
	s, ok := v.(string)
	if err != nil || !ok {
		return nil, err
	}
	start, err := c.argSingle(a[0], "substring")
	if err != nil || start == nil {
		return nil, err
	}
	st, ok := start.(int64)
	runes := []rune(s)
	if !ok || st < 0 || st >= int64(len(runes)) {
		return nil, nil
	}
	end := int64(len(runes))
	if len(a) == 2 {
		n, err := c.argSingle(a[1], "substring")
		if err != nil {
			return nil, err
		}
		if l, ok := n.(int64); ok {
			end = min(end, st+max(l, 0))
		}
	}
	return Collection{string(runes[st:end])}, nil
}

var regexCache sync.Map

// compileRegex compiles with dot matching newlines (N1 matches(): single-line
// mode), caching by pattern.
func compileRegex(p string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile("(?s)" + p)
	if err != nil {
		return nil, evalErr("expression régulière invalide %q: %v", p, err)
	}
	regexCache.Store(p, re)
	return re, nil
}

func encode(s string, a []string) (any, error) {
	switch a[0] {
	case "hex":
		return hex.EncodeToString([]byte(s)), nil
	case "base64":
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "urlbase64":
		return base64.URLEncoding.EncodeToString([]byte(s)), nil
	}
	return nil, evalErr("encodage inconnu %q", a[0])
}

func decode(s string, a []string) (any, error) {
	var b []byte
	var err error
	switch a[0] {
	case "hex":
		b, err = hex.DecodeString(s)
	case "base64":
		b, err = base64.StdEncoding.DecodeString(s)
	case "urlbase64":
		b, err = base64.URLEncoding.DecodeString(s)
	default:
		return nil, evalErr("encodage inconnu %q", a[0])
	}
	if err != nil {
		return nil, nil
	}
	return string(b), nil
}

func escape(s string, a []string) (any, error) {
	switch a[0] {
	case "html":
		return htmlEscaper.Replace(s), nil
	case "json":
		b, _ := json.Marshal(s)
		r := string(b[1 : len(b)-1])
		r = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(r)
		return r, nil
	}
	return nil, evalErr("échappement inconnu %q", a[0])
}

func unescape(s string, a []string) (any, error) {
	switch a[0] {
	case "html":
		return html.UnescapeString(s), nil
	case "json":
		return jsonUnescaper.Replace(s), nil
	}
	return nil, evalErr("échappement inconnu %q", a[0])
}

var jsonUnescaper = strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\/`, "/", `\n`, "\n", `\r`, "\r", `\t`, "\t", `\b`, "\b", `\f`, "\f")

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
