package fhir

// Date and time formats of FHIR R4 (datatypes.html#date, #dateTime, #instant,
// #time): the spec regexes plus calendar validity.

// isDate: YYYY, YYYY-MM or YYYY-MM-DD.
func isDate(s string) bool {
	rest, ok := datePart(s)
	return ok && rest == ""
}

// isDateTime: a date, or a full date with a time and a time zone.
func isDateTime(s string) bool {
	rest, ok := datePart(s)
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	if len(s)-len(rest) != 10 || rest[0] != 'T' {
		return false // a time needs a full date
	}
	return timeAndZone(rest[1:])
}

// isInstant: YYYY-MM-DDThh:mm:ss(.sss)(Z|±hh:mm), all parts required.
func isInstant(s string) bool {
	rest, ok := datePart(s)
	return ok && len(s)-len(rest) == 10 && rest != "" && rest[0] == 'T' && timeAndZone(rest[1:])
}

// datePart reads YYYY(-MM(-DD)?)? and returns what follows.
func datePart(s string) (string, bool) {
	if len(s) < 4 || !allDigits(s[:4]) || s[:4] == "0000" {
		return "", false
	}
	year := atoi(s[:4])
	if len(s) == 4 || s[4] != '-' {
		return s[4:], true
	}
	if len(s) < 7 || !allDigits(s[5:7]) {
		return "", false
	}
	month := atoi(s[5:7])
	if month < 1 || month > 12 {
		return "", false
	}
	if len(s) == 7 || s[7] != '-' {
		return s[7:], true
	}
	if len(s) < 10 || !allDigits(s[8:10]) {
		return "", false
	}
	day := atoi(s[8:10])
	if day < 1 || day > daysIn(year, month) {
		return "", false
	}
	return s[10:], true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// timeAndZone reads hh:mm:ss(.f+)? followed by Z or ±hh:mm (zone hours up to 14:00).
func timeAndZone(s string) bool {
	rest, ok := timeOfDay(s)
	if !ok || rest == "" {
		return false
	}
	if rest == "Z" {
		return true
	}
	if len(rest) != 6 || rest[0] != '+' && rest[0] != '-' || rest[3] != ':' ||
		!allDigits(rest[1:3]) || !allDigits(rest[4:6]) {
		return false
	}
	h, m := atoi(rest[1:3]), atoi(rest[4:6])
	return h <= 13 && m <= 59 || h == 14 && m == 0
}

// timeOfDay reads hh:mm:ss(.f+)? (seconds up to 60 for leap seconds) and returns what follows.
func timeOfDay(s string) (string, bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' || !allDigits(s[:2]) || !allDigits(s[3:5]) || !allDigits(s[6:8]) {
		return "", false
	}
	if atoi(s[:2]) > 23 || atoi(s[3:5]) > 59 || atoi(s[6:8]) > 60 {
		return "", false
	}
	rest := s[8:]
	if rest != "" && rest[0] == '.' {
		i := 1
		for i < len(rest) && isDigit(rest[i]) {
			i++
		}
		if i == 1 {
			return "", false
		}
		rest = rest[i:]
	}
	return rest, true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
