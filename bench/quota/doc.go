// Package quota holds taurusjob's shared-quota benchmark: a thousand waits
// started at the same instant against the fake job API (taurusjobtest)
// limited to 20 requests a second, which answers 429 with Retry-After above
// it, run with and without a shared rate limit on the Waiter. It reports
// the share of requests throttled, the requests sent, and the median and
// 95th percentile of the completion lag (from the job's end to Wait's
// return). Everything runs in a testing/synctest bubble over the fake's
// in-memory transport, so ten virtual minutes take seconds:
//
//	go test ./bench/quota -run TestThousandWaitsOneQuota -v -quota.full
//
// Without -quota.full the same test runs a small version (100 waits, 2
// requests a second, without the one-Waiter-per-wait baseline), with the
// same checks, so that it keeps working.
//
// The package has no code of its own: everything is in its tests.
package quota
