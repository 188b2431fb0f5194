package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestTokenFileBOM: a token file saved by an editor that starts UTF-8
// files with a byte order mark (Notepad) works: the mark is not sent as
// part of the token, which the API would refuse (exit 4).
func TestTokenFileBOM(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	env := fakeEnv(srv)
	delete(env, envToken)
	f := filepath.Join(t.TempDir(), "token")
	os.WriteFile(f, []byte("\uFEFF"+srv.Token()+"\r\n"), 0o600)
	if r := runBin(t, env, "", "wait", id, "--token-file", f); r.code != 0 {
		t.Errorf("token file with a BOM: exit %d, want 0\n%s", r.code, r)
	}
}

// TestTokenHiddenCharactersRefused: a token holding a character no IAM
// token holds (a C1 control such as U+0085, which the library's control
// check lets through, a no-break or zero-width space, a space, DEL, ESC)
// is refused before any request, from --token-file or TAURUSJOB_TOKEN,
// with the offset of the character and never the token's text.
func TestTokenHiddenCharactersRefused(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	tok := srv.Token()
	half := len(tok) / 2
	for _, tc := range []struct{ name, insert string }{
		{"C1 NEL", "\u0085"},
		{"C1 CSI", "\u009b"},
		{"no-break space", "\u00a0"},
		{"zero-width space", "\u200b"},
		{"a BOM inside", "\uFEFF"},
		{"space", " "},
		{"DEL", "\x7f"},
		{"ESC", "\x1b"},
	} {
		bad := tok[:half] + tc.insert + tok[half:]
		file := filepath.Join(t.TempDir(), "token")
		os.WriteFile(file, []byte(bad+"\n"), 0o600)
		noToken := fakeEnv(srv)
		delete(noToken, envToken)
		for _, run := range []struct {
			name string
			env  map[string]string
			argv []string
			want string
		}{
			{"--token-file", noToken, []string{"wait", id, "--token-file", file}, "--token-file " + file},
			{envToken, mapWith(noToken, envToken, bad), []string{"wait", id}, envToken},
			{"get --token-file", noToken, []string{"get", id, "--token-file", file}, "--token-file " + file},
		} {
			t.Run(tc.name+"/"+run.name, func(t *testing.T) {
				before := srv.TotalRequests()
				r := runBin(t, run.env, "", run.argv...)
				if r.code != exitUsage {
					t.Fatalf("exit %d, want 2\n%s", r.code, r)
				}
				for _, w := range []string{run.want, "byte"} {
					if !strings.Contains(r.stderr, w) {
						t.Errorf("stderr lacks %q\n%s", w, r)
					}
				}
				if n := srv.TotalRequests() - before; n != 0 {
					t.Errorf("%d requests sent, want none", n)
				}
				secretcheck.Assert(t, "stderr", r.stderr, tok)
				secretcheck.Assert(t, "stdout", r.stdout, tok)
			})
		}
	}
}

// TestTokenFileReadableByOthers: a token file that its group or others
// can read works, with a warning that names it and says how to make it
// private (as ssh and the cloud CLIs warn); a private one gets none.
func TestTokenFileReadableByOthers(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	env := fakeEnv(srv)
	delete(env, envToken)
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o644, true}, {0o640, true}, {0o604, true}, {0o600, false}, {0o400, false}} {
		f := filepath.Join(t.TempDir(), "token")
		os.WriteFile(f, []byte(srv.Token()+"\n"), 0o600)
		os.Chmod(f, tc.mode) // not through the umask
		r := runBin(t, env, "", "wait", id, "--token-file", f)
		if r.code != 0 {
			t.Errorf("mode %04o: exit %d, want 0 (a warning, not a refusal)\n%s", tc.mode, r.code, r)
		}
		warned := strings.Contains(r.stderr, "warning") && strings.Contains(r.stderr, f) && strings.Contains(r.stderr, "chmod 600")
		if warned != tc.warn {
			t.Errorf("mode %04o: warned %v, want %v\n%s", tc.mode, warned, tc.warn, r)
		}
	}
}
