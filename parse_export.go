package taurusjob

import "time"

// ParseJobTime reads a job's created or ended time in every form the API
// and its sibling services use: "2018-08-06T10:41:14+0800" (the documented
// form, offset without a colon), RFC 3339 ("+08:00" or "Z", with or without
// fractions), and "2006-01-02T15:04:05" or "2006-01-02 15:04:05" without an
// offset, taken as UTC. Surrounding spaces are ignored. An empty string
// gives the zero time and no error; an unrecognised one gives the zero time
// and an error quoting it. [Client] decodes [Job.Created] and [Job.Ended]
// with it, so adapters such as the huaweisdk module read times the same way.
func ParseJobTime(s string) (time.Time, error) { return parseTime(s) }

// ParseProgress reads a job's percent ("process", or "progress" in sibling
// services) such as "60%", "60", "60.5%" or " 60 % ", rounding fractions
// down (99.9% is not done). It returns -1 for an empty, malformed or
// out-of-range value, the value [Job.Progress] holds when no progress is
// reported.
func ParseProgress(s string) int { return parseProgress(s) }

// ClipText makes text from a server safe to put in an error: one line of
// valid UTF-8 (control characters and line separators become spaces) of at
// most n bytes, with a note of how much was cut. [Client] clips every
// server text it keeps with it, so adapters clip the same way.
func ClipText(s string, n int) string { return clip(s, n) }
