// Command sim runs the polling-efficiency simulation of taurusjob's Waiter
// against the baselines of docs/anchors.md and prints the tables.
//
//	go run ./bench/sim [-seeds 500] [-grid full] [-seen none] [-format text] [-o FILE] [-driver wait|token]
//
// The real Waiter must run inside testing/synctest bubbles, which need a
// *testing.T: the simulation is the test TestSimulation of this package,
// and this program only builds that test binary, runs it with the flags
// translated, and prints the tables it wrote. The same run, without this
// wrapper:
//
//	go test ./bench/sim -run '^TestSimulation$' -count=1 -timeout 0 -args -sim.run -sim.seeds 500
//
// Run from inside the module. Progress goes to standard error.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

const pkg = "github.com/taurusdb-tools/taurusjob/bench/sim"

func main() {
	seeds := flag.Int("seeds", 500, "trials per cell and outcome")
	grid := flag.String("grid", "full", `cells: "full", "tiny", or a subset such as "D=30m,2h V=8s profile=none outcome=completed"`)
	seen := flag.String("seen", "none", `profiles of the seen-before scenario, comma-separated; "all"; "" skips it`)
	format := flag.String("format", "text", "output format: text, markdown or csv")
	out := flag.String("o", "", "write the tables to this file (default: standard output)")
	driver := flag.String("driver", "wait", `how the real waiter is driven: "wait" (Waiter.Wait) or "token" (a Poller rebuilt from its resume token at every step)`)
	flag.Parse()
	if err := run(*seeds, *grid, *seen, *format, *out, *driver); err != nil {
		fmt.Fprintln(os.Stderr, "sim:", err)
		os.Exit(1)
	}
}

func run(seeds int, grid, seen, format, out, driver string) error {
	dir, err := os.MkdirTemp("", "taurusjob-sim-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "sim.test")
	build := exec.Command("go", "test", "-c", "-o", bin, pkg)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the simulation test: %w", err)
	}
	tables := filepath.Join(dir, "tables.txt")
	sim := exec.Command(bin, "-test.run", "^TestSimulation$", "-test.timeout", "0",
		"-sim.run", "-sim.seeds", fmt.Sprint(seeds), "-sim.grid", grid, "-sim.seen", seen,
		"-sim.format", format, "-sim.out", tables, "-sim.driver", driver)
	sim.Stdout, sim.Stderr = os.Stderr, os.Stderr
	if err := sim.Run(); err != nil {
		return fmt.Errorf("simulation: %w", err)
	}
	src, err := os.Open(tables)
	if err != nil {
		return err
	}
	defer src.Close()
	dst := os.Stdout
	if out != "" {
		if dst, err = os.Create(out); err != nil {
			return err
		}
	}
	if _, err := io.Copy(dst, src); err != nil {
		return err
	}
	return dst.Close()
}
