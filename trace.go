package taurusjob

// A wait's trace context, carried by its resume token, so that a tracer
// hook (the otel module) in the process that resumes the wait (a Temporal
// retry, a controller restart) can continue the first process's trace.

// Trace returns the trace context recorded for the wait (a W3C
// traceparent, "00-" trace id "-" span id "-" flags), by this process or,
// before a resume, by another; "" when none was.
func (u Update) Trace() string {
	if u.p == nil {
		return ""
	}
	u.p.mu.Lock()
	defer u.p.mu.Unlock()
	if tp := u.p.st.Trace; tp != nil {
		return *tp
	}
	return ""
}

// SetTrace records tp, a W3C traceparent, as the wait's trace context
// unless one is recorded already (the first span of a wait is the one
// later spans link to). The resume token carries it from then on. An
// update hook calls it; a malformed tp is ignored.
func (u Update) SetTrace(tp string) {
	if u.p == nil || !validTraceparent(tp) {
		return
	}
	u.p.mu.Lock()
	defer u.p.mu.Unlock()
	if u.p.st.Trace == nil {
		u.p.st.Trace = &tp
	}
}

// validTraceparent checks the W3C form: version 00, a 32-digit trace id
// and a 16-digit span id, neither all zeros, and 2 digits of flags, all
// lower-case hex.
func validTraceparent(tp string) bool {
	if len(tp) != 55 || tp[:3] != "00-" || tp[35] != '-' || tp[52] != '-' {
		return false
	}
	for i, c := range []byte(tp) {
		if i == 2 || i == 35 || i == 52 {
			continue
		}
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return tp[3:35] != "00000000000000000000000000000000" && tp[36:52] != "0000000000000000"
}
