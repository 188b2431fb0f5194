package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// lockedBuffer is a bytes.Buffer that a running process writes to while
// the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// background is a taurusjob process started by startBin.
type background struct {
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
	began          time.Time
}

// startBin starts the binary in the background with env (as runBin builds it).
func startBin(t *testing.T, env map[string]string, argv ...string) *background {
	t.Helper()
	p := &background{cmd: exec.Command(binPath, argv...)}
	p.cmd.Env = envList(t, env)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.began = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

// waitFor waits until stderr holds text.
func (p *background) waitFor(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(p.stderr.String(), text) {
			return
		}
	}
	t.Fatalf("stderr never showed %q:\n%s", text, p.stderr.String())
}

// interrupt sends SIGINT, as Ctrl-C or a CI runner's cancel does, and
// returns how the process ended.
func (p *background) interrupt(t *testing.T) result {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := p.cmd.Wait()
	return p.ended(t, err)
}

// ended is what the process produced, once Wait returned err.
func (p *background) ended(t *testing.T, err error) result {
	t.Helper()
	r := result{stdout: p.stdout.String(), stderr: p.stderr.String(), took: time.Since(p.began)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// readStateDoc reads a state file as the tool writes it.
func readStateDoc(t *testing.T, path string) stateDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the state file: %v", err)
	}
	var doc stateDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("the state file is not JSON: %v\n%s", err, b)
	}
	return doc
}

// checkKept fails unless the state file exists, is private, holds a token
// for each of want, and no temporary file is left beside it.
func checkKept(t *testing.T, path string, want ...string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("state file: %v; want it kept", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", st.Mode().Perm())
	}
	doc := readStateDoc(t, path)
	if len(doc.Tokens) != len(want) {
		t.Errorf("state file holds %d tokens, want %d (%v)", len(doc.Tokens), len(want), want)
	}
	for _, id := range want {
		if !strings.HasPrefix(doc.Tokens[id], "tjs2.") {
			t.Errorf("state file has no token for job %s: %+v", id, doc)
		}
	}
	checkNoTemp(t, filepath.Dir(path))
}

func checkGone(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("state file still there after a final outcome (stat: %v)", err)
	}
	checkNoTemp(t, filepath.Dir(path))
}

func checkNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestStateResumeKeepsGraceWindow interrupts a wait for a job that never
// appears, 1.5 s into its 3 s grace window, and starts it again with the
// same --state-file: the second run ends with not_visible when the first
// run's grace window ends, not a whole new grace window later.
func TestStateResumeKeepsGraceWindow(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{Invisible: taurusjobtest.Forever})
	state := filepath.Join(t.TempDir(), "state.json")
	argv := args("wait", id, "--state-file", state, "--visibility-grace", "3s", "--output", "json", fast)

	p := startBin(t, fakeEnv(srv), argv...)
	p.waitFor(t, "not visible yet")
	time.Sleep(1500 * time.Millisecond) // from a time after the wait, and its grace window, started
	r1 := p.interrupt(t)
	if r1.code != exitInterrupted {
		t.Fatalf("run 1: exit %d, want 130\n%s", r1.code, r1)
	}
	checkKept(t, state, id)

	r2 := runBin(t, fakeEnv(srv), "", argv...)
	total := time.Since(p.began)
	if r2.code != exitNotVisible {
		t.Fatalf("run 2: exit %d, want 5\n%s", r2.code, r2)
	}
	// The grace window ended at most 1.5 s after run 2 started; a fresh
	// one would last 3 s.
	if r2.took > 2500*time.Millisecond {
		t.Errorf("run 2 took %s; the grace window of run 1 ended at most 1.5 s after it started", r2.took)
	}
	if total < 3*time.Second {
		t.Errorf("not_visible %s after run 1 started, before its 3 s grace window ended", total)
	}
	if !strings.Contains(r2.stderr, "resuming the wait saved in "+state) {
		t.Errorf("run 2 does not say it resumes\n%s", r2)
	}
	lines := jsonLines(t, r2)
	if len(lines) != 1 || lines[0].Outcome != "not_visible" || string(lines[0].Job) != "null" {
		t.Fatalf("run 2: want one not_visible line with job null\n%s", r2)
	}
	// Polls and time count from the first run. A request the interrupt
	// cut short reached the API but is not a poll (a cut leaves the wait
	// as it was), so the API may have seen one more.
	if n := srv.RequestCount(id); lines[0].Polls != n && lines[0].Polls != n-1 {
		t.Errorf("polls = %d, the API saw %d requests over both runs", lines[0].Polls, n)
	}
	if lines[0].ElapsedSeconds < 2.9 {
		t.Errorf("elapsed_seconds = %v, want the time since run 1 started (≥ 3)", lines[0].ElapsedSeconds)
	}
	checkGone(t, state)
}

// TestStateResumeRemembersSeenJob: a job seen running by the first run
// and answering 404 to the second is a passing fault, not a job that never
// appeared; the deadline is the first run's, a timeout keeps the file, a
// run resumed past the deadline exits 3 at once without a request, and
// deleting the file starts over.
func TestStateResumeRemembersSeenJob(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever, Profile: taurusjobtest.Steps(1000)})
	state := filepath.Join(t.TempDir(), "state.json")
	argv := args("wait", id, "--state-file", state, "--visibility-grace", "300ms", "--timeout", "2500ms", "--output", "json", fast)

	p := startBin(t, fakeEnv(srv), argv...)
	p.waitFor(t, "Running")
	r1 := p.interrupt(t)
	if r1.code != exitInterrupted {
		t.Fatalf("run 1: exit %d, want 130\n%s", r1.code, r1)
	}
	checkKept(t, state, id)

	srv.AddRule(taurusjobtest.Rule{JobID: id, Fault: taurusjobtest.Answer(404, "application/json",
		`{"error_code":"DBS.200823","error_msg":"The job does not exist, or is not visible yet."}`)})
	r2 := runBin(t, fakeEnv(srv), "", argv...)
	if r2.code != exitTimeout {
		t.Fatalf("run 2: exit %d, want 3 (timeout: the job was seen, a 404 is passing); 5 means it forgot\n%s", r2.code, r2)
	}
	if end := time.Since(p.began); end > 4*time.Second {
		t.Errorf("run 2 timed out %s after run 1 started; the deadline was 2.5 s after it", end)
	}
	if lines := jsonLines(t, r2); len(lines) != 1 || lines[0].job(t).Status != "Running" || lines[0].job(t).ID != id {
		t.Errorf("run 2: want the job as last seen (Running) in the result\n%s", r2)
	}
	checkKept(t, state, id)

	before := srv.RequestCount(id)
	r3 := runBin(t, fakeEnv(srv), "", argv...)
	if r3.code != exitTimeout || r3.took > time.Second {
		t.Errorf("run 3, past the deadline: exit %d after %s, want 3 at once\n%s", r3.code, r3.took, r3)
	}
	if n := srv.RequestCount(id) - before; n != 0 {
		t.Errorf("run 3 sent %d requests past the deadline, want none", n)
	}
	checkKept(t, state, id)

	// Starting over: without the file, a fresh wait with a fresh grace
	// window, which the 404s now exhaust.
	os.Remove(state)
	r4 := runBin(t, fakeEnv(srv), "", argv...)
	if r4.code != exitNotVisible {
		t.Errorf("run 4, file deleted: exit %d, want 5 from a fresh wait\n%s", r4.code, r4)
	}
	checkGone(t, state)
}

// TestStateFileFinalOutcomes: the file exists during the wait and is
// removed when the wait ends for good.
func TestStateFileFinalOutcomes(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	denied := srv.AddJob(taurusjobtest.Job{Running: time.Second})
	srv.AddRule(taurusjobtest.Rule{JobID: denied, Fault: taurusjobtest.Answer(403, "application/json",
		`{"error_code":"DBS.280343","error_msg":"denied"}`)})
	for _, tc := range []struct {
		name  string
		id    string
		flags []string
		code  int
	}{
		{"completed", srv.AddJob(taurusjobtest.Job{Invisible: 100 * time.Millisecond, Running: 300 * time.Millisecond}), nil, 0},
		{"failed", srv.AddJob(taurusjobtest.Job{Running: 100 * time.Millisecond, Outcome: taurusjobtest.Failed}), nil, 1},
		{"canceled", srv.AddJob(taurusjobtest.Job{Running: 100 * time.Millisecond, Outcome: taurusjobtest.Canceled}), nil, 1},
		{"not visible", srv.AddJob(taurusjobtest.Job{Invisible: taurusjobtest.Forever}), args("--visibility-grace", "200ms"), 5},
		{"pending", srv.AddJob(taurusjobtest.Job{Pending: taurusjobtest.Forever}), args("--return-on-pending"), 0},
		{"API error", denied, nil, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			state := filepath.Join(t.TempDir(), "state.json")
			r := runBin(t, fakeEnv(srv), "", args("wait", tc.id, "--state-file", state, fast, tc.flags)...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.code, r)
			}
			checkGone(t, state)
		})
	}
	t.Run("written while waiting", func(t *testing.T) {
		t.Parallel()
		id := srv.AddJob(taurusjobtest.Job{Running: time.Hour})
		state := filepath.Join(t.TempDir(), "state.json")
		p := startBin(t, fakeEnv(srv), args("wait", id, "--state-file", state, fast)...)
		p.waitFor(t, "Running")
		checkKept(t, state, id)
		if r := p.interrupt(t); r.code != exitInterrupted {
			t.Errorf("exit %d, want 130\n%s", r.code, r)
		}
		checkKept(t, state, id)
	})
	t.Run("an empty file is a fresh start", func(t *testing.T) {
		t.Parallel()
		id := srv.AddJob(taurusjobtest.Job{Running: 100 * time.Millisecond})
		state := filepath.Join(t.TempDir(), "state.json")
		os.WriteFile(state, nil, 0o600) // as mktemp leaves it
		if r := runBin(t, fakeEnv(srv), "", args("wait", id, "--state-file", state, fast)...); r.code != 0 {
			t.Errorf("exit %d, want 0\n%s", r.code, r)
		}
		checkGone(t, state)
	})
}

// TestStateSeveralJobs keeps one file for several jobs: a job that ended
// for good leaves it, one that timed out stays, and the next run (the ids
// in any order) waits afresh for the first and resumes the second.
func TestStateSeveralJobs(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	done := srv.AddJob(taurusjobtest.Job{Running: 100 * time.Millisecond})
	slow := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	state := filepath.Join(t.TempDir(), "state.json")
	r := runBin(t, fakeEnv(srv), "", args("wait", done+","+slow, "--state-file", state, "--timeout", "800ms", "--output", "json", fast)...)
	if r.code != exitTimeout {
		t.Fatalf("run 1: exit %d, want 3\n%s", r.code, r)
	}
	checkKept(t, state, slow)
	if doc := readStateDoc(t, state); !sameIDs(doc.JobIDs, []string{done, slow}) || doc.Format != 1 {
		t.Errorf("state file lists %v (format %d), want both jobs (format 1)", doc.JobIDs, doc.Format)
	}

	beforeSlow := srv.RequestCount(slow)
	r = runBin(t, fakeEnv(srv), "", args("wait", slow, done, "--state-file", state, "--timeout", "5s", "--output", "json", fast)...)
	if r.code != exitTimeout || r.took > time.Second {
		t.Fatalf("run 2: exit %d after %s, want 3 at once (the slow job's deadline passed)\n%s", r.code, r.took, r)
	}
	lines := jsonLines(t, r)
	if len(lines) != 2 || lines[0].Outcome != "timeout" || lines[1].Outcome != "completed" || lines[1].Polls != 1 {
		t.Errorf("run 2: want slow timeout, done completed in one fresh poll\n%s", r)
	}
	if n := srv.RequestCount(slow) - beforeSlow; n != 0 {
		t.Errorf("run 2 polled the timed-out job %d times, want none", n)
	}
	checkKept(t, state, slow)
}

// TestStateFileRefused: a state file that is not one, is damaged, or is
// for other jobs is exit 2, names the file, says how to recover, sends
// nothing and leaves the file as it was.
func TestStateFileRefused(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	other := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	dir := t.TempDir()

	// A real state file for other, kept by a timeout.
	otherState := filepath.Join(dir, "other.json")
	if r := runBin(t, fakeEnv(srv), "", args("wait", other, "--state-file", otherState, "--timeout", "200ms", fast)...); r.code != exitTimeout {
		t.Fatalf("making a state file: exit %d\n%s", r.code, r)
	}
	otherToken := readStateDoc(t, otherState).Tokens[other]
	doc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	tampered := []byte(otherToken)
	tampered[len("tjs2.")+10] ^= 1 // a flipped bit in the payload

	for _, tc := range []struct {
		name, content string
		ids           []string
		want          []string // in stderr, besides the file's name
	}{
		{"garbage", "not json at all\n", []string{id}, []string{"not a taurusjob wait state", "delete it"}},
		{"foreign JSON", `{"name":"x"}`, []string{id}, []string{"not a taurusjob wait state", "another --state-file"}},
		{"a history file", `{"CreateGaussDBforMySQLInstance":[12.5]}`, []string{id}, []string{"not a taurusjob wait state"}},
		{"a bare token", otherToken, []string{other}, []string{"not a taurusjob wait state"}},
		{"newer version", doc(map[string]any{"taurusjob_wait_state": 2, "job_ids": []string{id}}), []string{id},
			[]string{"format version 2", "Delete the file"}},
		{"tampered token", doc(stateDoc{Format: 1, JobIDs: []string{other}, Tokens: map[string]string{other: string(tampered)}}),
			[]string{other}, []string{"job " + other, "checksum", "Delete the file"}},
		{"cut token", doc(stateDoc{Format: 1, JobIDs: []string{other}, Tokens: map[string]string{other: otherToken[:len(otherToken)/2]}}),
			[]string{other}, []string{"job " + other, "Delete the file"}},
		{"another job's file", "", []string{id}, []string{"saved by a wait for job " + other, "not for job " + id, "Delete the file"}},
		{"another job's token", doc(stateDoc{Format: 1, JobIDs: []string{id}, Tokens: map[string]string{id: otherToken}}),
			[]string{id}, []string{"job " + id, other, "Delete the file"}},
		{"more jobs than saved", "", []string{other, id}, []string{"saved by a wait for job " + other, "not for jobs "}},
		{"a token for an unlisted job", doc(stateDoc{Format: 1, JobIDs: []string{id}, Tokens: map[string]string{other: otherToken}}),
			[]string{id}, []string{"not a taurusjob wait state"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := otherState
			if tc.content != "" {
				path = filepath.Join(t.TempDir(), "state.json")
				os.WriteFile(path, []byte(tc.content), 0o600)
			}
			before, _ := os.ReadFile(path)
			reqs := srv.TotalRequests()
			r := runBin(t, fakeEnv(srv), "", args("wait", tc.ids, "--state-file", path, fast)...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2\n%s", r.code, r)
			}
			for _, w := range append(tc.want, "state file "+path) {
				if !strings.Contains(strings.ToLower(r.stderr), strings.ToLower(w)) {
					t.Errorf("stderr lacks %q\n%s", w, r)
				}
			}
			secretcheck.Assert(t, "stderr", r.stderr, otherToken)
			if n := srv.TotalRequests() - reqs; n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Errorf("the refused file was changed")
			}
		})
	}
	t.Run("a directory", func(t *testing.T) {
		r := runBin(t, fakeEnv(srv), "", "wait", id, "--state-file", dir)
		if r.code != exitUsage || !strings.Contains(r.stderr, "state file "+dir) {
			t.Errorf("exit %d, want 2 naming the file\n%s", r.code, r)
		}
	})
}

// TestStateAndHistoryHoldNoCredential runs waits with the sentinel token,
// a server that echoes it in errors, and both files, then reads the files.
func TestStateAndHistoryHoldNoCredential(t *testing.T) {
	t.Parallel()
	srv := newFake(t, taurusjobtest.WithToken(sentinel))
	completed := srv.AddJob(learnable("RestoreInstance"))
	slow := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	srv.AddRule(taurusjobtest.Rule{JobID: slow, Fault: taurusjobtest.Answer(503, "text/plain", "upstream said "+sentinel), Every: 2})
	dir := t.TempDir()
	state, history := filepath.Join(dir, "state.json"), filepath.Join(dir, "history.json")
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(sentinel+"\n"), 0o600)
	env := fakeEnv(srv)
	delete(env, envToken)

	r := runBin(t, env, "", args("wait", completed, slow, "--token-file", tokenFile, "--state-file", state,
		"--history-file", history, "--timeout", "700ms", "--verbose", fast)...)
	if r.code != exitTimeout {
		t.Fatalf("exit %d, want 3\n%s", r.code, r)
	}
	checkKept(t, state, slow)
	for _, f := range []string{state, history} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		secretcheck.Assert(t, filepath.Base(f), string(b), sentinel)
	}
	if b, _ := os.ReadFile(history); !bytes.Contains(b, []byte(`"RestoreInstance"`)) {
		t.Errorf("history file lacks the completed job's name:\n%s", b)
	}
}

// learnable is a job that completes about 150 ms after it is added and
// whose duration the history records: the API's times have whole seconds,
// so it was created 5 s earlier.
func learnable(name string) taurusjobtest.Job {
	return taurusjobtest.Job{Name: name, Created: time.Now().Add(-5 * time.Second), Running: 5*time.Second + 150*time.Millisecond}
}

// TestHistoryFile: the duration history is loaded, kept and saved, by
// default in the user's cache directory. (A file that is not a history:
// TestHistoryFileNotAHistoryIsLeftAlone.)
func TestHistoryFile(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	job := func(name string) string { return srv.AddJob(learnable(name)) }
	readHistory := func(t *testing.T, path string) map[string][]float64 {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("history file: %v", err)
		}
		var h map[string][]float64
		if err := json.Unmarshal(b, &h); err != nil {
			t.Fatalf("history file is not a history: %v\n%s", err, b)
		}
		return h
	}

	t.Run("default in the cache directory", func(t *testing.T) {
		t.Parallel()
		if runtime.GOOS != "linux" {
			t.Skip("the cache directory is checked where it is $XDG_CACHE_HOME")
		}
		home := t.TempDir()
		env := mapWith(fakeEnv(srv), "HOME", home, "XDG_CACHE_HOME", filepath.Join(home, "cache"))
		if r := runBin(t, env, "", args("wait", job("CreateInstance-default"), fast)...); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		path := filepath.Join(home, "cache", "taurusjob", "history.json")
		if d := readHistory(t, path)["CreateInstance-default"]; len(d) != 1 || d[0] <= 0 {
			t.Errorf("history = %v, want one duration for the job's name", readHistory(t, path))
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
			t.Errorf("history file mode %v, want 0600", st.Mode().Perm())
		}
	})
	t.Run("loaded and kept", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "h.json")
		os.WriteFile(path, []byte(`{"ResizeFlavor":[42.5]}`), 0o644)
		if r := runBin(t, fakeEnv(srv), "", args("wait", job("CreateInstance-kept"), "--history-file", path, fast)...); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		h := readHistory(t, path)
		if len(h["ResizeFlavor"]) != 1 || h["ResizeFlavor"][0] != 42.5 || len(h["CreateInstance-kept"]) != 1 {
			t.Errorf("history = %v, want the loaded entry and the new one", h)
		}
	})
	t.Run("not written when nothing completed", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "h.json")
		id := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
		if r := runBin(t, fakeEnv(srv), "", args("wait", id, "--history-file", path, "--timeout", "200ms", fast)...); r.code != exitTimeout {
			t.Fatalf("exit %d, want 3\n%s", r.code, r)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("history file written for a wait that learned nothing (stat: %v)", err)
		}
	})
	t.Run("--no-history", func(t *testing.T) {
		t.Parallel()
		home := t.TempDir()
		env := mapWith(fakeEnv(srv), "HOME", home, "XDG_CACHE_HOME", filepath.Join(home, "cache"))
		if r := runBin(t, env, "", args("wait", job("CreateInstance-none"), "--no-history", fast)...); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		if ents, _ := os.ReadDir(home); len(ents) != 0 {
			t.Errorf("--no-history wrote into the home directory: %v", ents)
		}
	})
}

// TestStateInProcess interrupts and resumes six concurrent waits
// in-process, where the race detector sees the state callbacks.
func TestStateInProcess(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	var ids []string
	for range 6 {
		ids = append(ids, srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever}))
	}
	state := filepath.Join(t.TempDir(), "state.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	time.AfterFunc(300*time.Millisecond, cancel)
	r := runIn(ctx, fakeEnv(srv), "", args("wait", strings.Join(ids, ","), "--state-file", state, "--timeout", "1s", "--no-history", fast)...)
	if r.code != exitInterrupted {
		t.Fatalf("run 1: exit %d, want 130\n%s", r.code, r)
	}
	checkKept(t, state, ids...)
	// The ids given separately and in another order are the same set.
	slices.Reverse(ids)
	r = runIn(context.Background(), fakeEnv(srv), "", args("wait", ids, "--state-file", state, "--no-history", fast)...)
	if r.code != exitTimeout {
		t.Fatalf("run 2: exit %d, want 3 at run 1's deadline\n%s", r.code, r)
	}
	if took := time.Since(start); took > 2500*time.Millisecond {
		t.Errorf("run 2 ended %s after run 1 started; its deadline was 1 s after", took)
	}
	checkKept(t, state, ids...)
}

// TestStateFileLinkAndMode: a --state-file that is a symbolic link is
// written through: the target holds the state and keeps its mode (0640,
// for a CI's group), the link stays a link. When every job ended, the
// target is removed and the link left; the next wait through it starts
// afresh.
func TestStateFileLinkAndMode(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	srv := newFake(t)
	targetDir, linkDir := t.TempDir(), t.TempDir()
	target, link := filepath.Join(targetDir, "state.json"), filepath.Join(linkDir, "state.json")
	os.WriteFile(target, nil, 0o640) // as mktemp leaves it, made group-readable
	os.Chmod(target, 0o640)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	linkKept := func(when string) {
		t.Helper()
		if to, err := os.Readlink(link); err != nil || to != target {
			t.Fatalf("%s: the link was replaced: readlink = %q, %v", when, to, err)
		}
		checkNoTemp(t, linkDir)
		checkNoTemp(t, targetDir)
	}

	slow := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	r := runWithin(t, 30*time.Second, fakeEnv(srv), args("wait", slow, "--state-file", link, "--timeout", "300ms", fast, "--no-history")...)
	if r.code != exitTimeout {
		t.Fatalf("exit %d, want 3\n%s", r.code, r)
	}
	linkKept("after a timeout")
	if doc := readStateDoc(t, target); !strings.HasPrefix(doc.Tokens[slow], "tjs2.") {
		t.Errorf("the target holds no state for job %s: %+v", slow, doc)
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o640 {
		t.Errorf("the target's mode is %v, want 0640 kept", st.Mode().Perm())
	}

	os.Remove(target)
	done := srv.AddJob(taurusjobtest.Job{})
	r = runWithin(t, 30*time.Second, fakeEnv(srv), args("wait", done, "--state-file", link, fast, "--no-history")...)
	if r.code != exitCompleted {
		t.Fatalf("through a link to a missing file: exit %d, want 0\n%s", r.code, r)
	}
	linkKept("after a completed wait")
	checkGone(t, target)
}
