package main

import (
	"errors"
	"flag"
	"slices"
	"strings"
	"time"
)

// explainFlagError turns the flag package's error for args into one that
// says what to type instead: the flag meant by a typo, where a secret goes,
// the unit a duration lacks. It finds the mistake by reading args as the
// flag package does, never by parsing its message. A flag's value is never
// quoted unless it is a duration, so a secret typed into a flag stays out
// of logs. Errors it cannot explain are returned as they are.
func explainFlagError(fs *flag.FlagSet, args []string, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || a[0] != '-' || a == "--" {
			break // the flag package stops here too
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if name == "h" || name == "help" {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			return unknownFlag(fs, a[:len(a)-len(strings.TrimLeft(a, "-"))], name)
		}
		if isBoolFlag(f) {
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return usagef("--%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if isDurationFlag(f) {
			if _, perr := time.ParseDuration(value); perr != nil {
				return durationMistake(name, value)
			}
		}
	}
	return err
}

func isBoolFlag(f *flag.Flag) bool {
	bf, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && bf.IsBoolFlag()
}

func isDurationFlag(f *flag.Flag) bool {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	_, ok = g.Get().(time.Duration)
	return ok
}

// durationMistake explains a duration flag's value that time.ParseDuration
// refused. The value is quoted: a duration is not a secret.
func durationMistake(name, value string) error {
	v := clip(value, 40)
	switch {
	case isDigits(value):
		return usagef("--%s %s: add a unit: %ss, %sm", name, v, v, v)
	case strings.HasSuffix(value, "d") && isDigits(strings.TrimSuffix(value, "d")):
		return usagef("--%s %s: there is no day unit; write hours, e.g. 24h", name, v)
	}
	return usagef("--%s %q is not a duration: write it as 30s, 5m or 1h30m (units ns, us, ms, s, m, h)", name, v)
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789.") == ""
}

// secretFlags are flags people try for a credential. None exists: a
// secret on the command line is seen by every user of the machine (ps) and
// kept in shell histories and CI logs.
var secretFlags = map[string]string{
	"token":             "token",
	"auth-token":        "token",
	"iam-token":         "token",
	"x-auth-token":      "token",
	"ak":                "aksk",
	"sk":                "aksk",
	"access-key":        "aksk",
	"secret-key":        "aksk",
	"access-key-id":     "aksk",
	"secret-access-key": "aksk",
	"password":          "aksk",
}

// shortcuts are spellings of other tools for the flags of this one.
var shortcuts = map[string]string{
	"o":       "--output",
	"json":    "--output json",
	"jsonl":   "--output jsonl",
	"q":       "--quiet",
	"silent":  "--quiet",
	"v":       "--verbose",
	"debug":   "--verbose",
	"t":       "--timeout",
	"project": "--project-id",
}

// unknownFlag explains a flag that fs does not define, typed as
// dashes+name.
func unknownFlag(fs *flag.FlagSet, dashes, name string) error {
	cmd := fs.Name()
	shown := dashes + clip(name, 60) // what was typed may be anything, even a pasted secret
	if kind, ok := closeSecret(name); ok {
		switch {
		case fs.Lookup("token-file") == nil:
			return usagef("%s: %s takes no credentials", shown, cmd)
		case kind == "token":
			return usagef("%s: a token is never a flag: use %s or --token-file", shown, envToken)
		}
		return usagef("%s: a secret is never a flag: use %s and %s", shown, envAccessKey, envSecretKey)
	}
	if s, ok := shortcuts[name]; ok && fs.Lookup(strings.Fields(strings.TrimPrefix(s, "--"))[0]) != nil {
		return usagef("unknown flag %s: did you mean %s?", shown, s)
	}
	if near := nearFlags(fs, name); len(near) > 0 {
		return usagef("unknown flag %s: did you mean %s?", shown, strings.Join(near, " or "))
	}
	if others := commandsWithFlag(name); len(others) > 0 {
		return usagef("%s has no %s: it is a flag of %s", cmd, shown, strings.Join(others, " and "))
	}
	return usagef("unknown flag %s", shown)
}

// closeSecret reports whether name is a secret's flag, or one typo away.
func closeSecret(name string) (kind string, ok bool) {
	for s, k := range secretFlags {
		if editDistance(strings.ToLower(name), s) <= min(1, len(s)/3) {
			return k, true
		}
	}
	return "", false
}

// nearFlags returns fs's flags name may be a typo or a prefix of: the
// nearest ones, at most two, as "--name".
func nearFlags(fs *flag.FlagSet, name string) []string {
	type cand struct {
		flag string
		d    int
	}
	var cands []cand
	limit := min(2, len(name)/3)
	fs.VisitAll(func(f *flag.Flag) {
		d := editDistance(strings.ToLower(name), f.Name)
		if len(name) >= 3 && (strings.HasPrefix(f.Name, name) || strings.HasSuffix(f.Name, "-"+name)) {
			d = 1 // --state for --state-file, --interval for --min-interval
		}
		if d <= max(limit, 1) && d < len(name) {
			cands = append(cands, cand{f.Name, d})
		}
	})
	slices.SortFunc(cands, func(a, b cand) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(a.flag, b.flag)
	})
	var out []string
	for _, c := range cands {
		if c.d == cands[0].d && len(out) < 2 {
			out = append(out, "--"+c.flag)
		}
	}
	return out
}

// commandsWithFlag returns the other commands that define --name, for a
// flag given to the wrong command (get --timeout).
func commandsWithFlag(name string) []string {
	var out []string
	for cmd, groups := range commandGroups {
		var o options
		if newFlagSet(cmd, groups, &o).Lookup(name) != nil {
			out = append(out, cmd)
		}
	}
	var fo fakeAPIOptions
	if newFakeAPIFlags(&fo).Lookup(name) != nil {
		out = append(out, "fake-api")
	}
	slices.Sort(out)
	return out
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours (--timeuot) cost 1.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b)) // not a typo of any flag; bounded work
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
