// Package defaults holds the defaults of the Waiter and the Client, each
// chosen for the TaurusDB job API. The library applies them and the CLI
// shows them as its flags' defaults, from this one place, so the two
// cannot drift; the options' docs and README state them for users.
package defaults

import "time"

// The Waiter's.
const (
	// Timeout bounds one wait. Creating an instance takes minutes, not
	// hours; a longer job needs WithTimeout (ctx's deadline also counts).
	Timeout = time.Hour
	// VisibilityGrace is how long 404s are taken as "not visible yet": the
	// API says a new job needs a few seconds to appear, and a minute
	// covers a slow region without hiding a wrong id for long.
	VisibilityGrace = 60 * time.Second
	// MinInterval is the shortest delay between polls, and the first one
	// after an error; the first poll is made at once.
	MinInterval = time.Second
	// MaxInterval caps every delay (a server's Retry-After too): a job
	// that fails is noticed within this bound however long it runs. Below
	// it, delays are also capped by half the job's age, so a young job
	// that fails is noticed sooner.
	MaxInterval = 5 * time.Minute
	// LatencyBudget is the median detection lag accepted when nothing
	// predicts a job's end (no percent, no earlier job of its name): the
	// waiter then polls every two budgets. Every schedule without
	// knowledge trades calls for lag (calls x lag is about half the job's
	// duration); 5 s matches the lag of the common 10 s loops.
	LatencyBudget = 5 * time.Second
	// Concurrency bounds the requests in flight in one WaitAll: a waiting
	// job costs memory only, a request costs a connection.
	Concurrency = 16
	// ThrottleCooldown is how long every wait of a Waiter holds its next
	// poll after one of them was answered 429 without a Retry-After.
	ThrottleCooldown = 5 * time.Second
)

// The Client's.
const (
	// RequestTimeout bounds one get-job call, even when ctx has no deadline.
	RequestTimeout = 30 * time.Second
	// MaxBodyBytes bounds an answer's body: a job answer is a few KiB;
	// 1 MiB leaves room for large entities.
	MaxBodyBytes = 1 << 20
)
