package access

import (
	"errors"
	"sync"
	"time"

	"dsn"
)

// Failed sign-ins are throttled per account and per address, so that
// passwords cannot be guessed online (OWASP Authentication Cheat Sheet,
// "Protect against automated attacks"): after AccountFailures failures on
// one account, or AddressFailures from one address, within ThrottleWindow,
// further attempts are refused — even with the right password — until the
// oldest of those failures leaves the window. The counts live in this
// process's memory: a restart forgets them, and several servers count apart.

const (
	AccountFailures = 5
	AddressFailures = 20
	ThrottleWindow  = 15 * time.Minute
	// maxThrottleKeys bounds the memory an attacker spraying names or
	// addresses can make us use: past it, expired keys are dropped, then all.
	maxThrottleKeys = 100000
)

// ErrThrottled is wrapped by the error of a sign-in refused for too many
// failures (errors.Is): the sign-in page answers 429.
var ErrThrottled = errors.New("too many failed sign-ins")

// throttle counts the recent failures of each key ("account:realm:name",
// "addr:IP").
type throttle struct {
	mu    sync.Mutex
	fails map[string][]time.Time
}

// wait tells how long sign-in on the account from addr stays refused (0: allowed).
func (t *throttle) wait(now time.Time, account, addr string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.waitKey(now, "account:"+account, AccountFailures)
	if addr != "" {
		w = max(w, t.waitKey(now, "addr:"+addr, AddressFailures))
	}
	return w
}

func (t *throttle) waitKey(now time.Time, key string, limit int) time.Duration {
	fs, ok := t.fails[key]
	if !ok {
		return 0
	}
	if fs = recent(fs, now); len(fs) == 0 {
		delete(t.fails, key)
	} else {
		t.fails[key] = fs
	}
	if len(fs) < limit {
		return 0
	}
	return fs[len(fs)-limit].Add(ThrottleWindow).Sub(now)
}

// failed counts one failure on the account and from addr.
func (t *throttle) failed(now time.Time, account, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fails == nil || len(t.fails) > maxThrottleKeys {
		t.prune(now)
	}
	t.fails["account:"+account] = append(recent(t.fails["account:"+account], now), now)
	if addr != "" {
		t.fails["addr:"+addr] = append(recent(t.fails["addr:"+addr], now), now)
	}
}

// succeeded forgets the account's failures (not the address's: one good
// password must not reset a spray from that address).
func (t *throttle) succeeded(account string) {
	t.mu.Lock()
	delete(t.fails, "account:"+account)
	t.mu.Unlock()
}

func (t *throttle) prune(now time.Time) {
	if t.fails == nil {
		t.fails = map[string][]time.Time{}
		return
	}
	for k, fs := range t.fails {
		if len(recent(fs, now)) == 0 {
			delete(t.fails, k)
		}
	}
	if len(t.fails) > maxThrottleKeys {
		t.fails = map[string][]time.Time{}
	}
}

// recent keeps the failures still within the window (fs is in time order).
func recent(fs []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= ThrottleWindow {
		i++
	}
	return fs[i:]
}

// throttled is the refusal of a throttled sign-in, saying when to try again.
func throttled(op string, wait time.Duration) error {
	minutes := int(wait.Round(time.Minute) / time.Minute)
	id := "signin.throttled-many"
	if minutes <= 1 {
		minutes, id = 1, "signin.throttled-one"
	}
	e := errorf(op, dsn.KindForbidden, id, minutes)
	e.Err = ErrThrottled
	return e
}
