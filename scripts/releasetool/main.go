// Command releasetool is the Go half of scripts/release.sh: the steps that
// must give the same bytes on every maintainer's machine (archives,
// checksums) and the check CI runs on a snapshot, with no tool beyond Go.
//
//	releasetool archive -mtime UNIX OUT NAME=PATH...   a .tar.gz or .zip (by OUT's suffix)
//	releasetool checksums DIR                         DIR/checksums.txt: sha256 of every other file
//	releasetool verify DIR VERSION COMMIT             the release in DIR is whole, of VERSION built from COMMIT ("-": none recorded)
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "releasetool:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: releasetool archive|checksums|verify ...")
	}
	switch cmd, args := args[0], args[1:]; cmd {
	case "archive":
		fs := flag.NewFlagSet("archive", flag.ContinueOnError)
		mtime := fs.Int64("mtime", 0, "modification time of every entry, Unix seconds (the commit's time)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() < 2 {
			return fmt.Errorf("usage: releasetool archive -mtime UNIX OUT NAME=PATH...")
		}
		entries, err := parseEntries(fs.Args()[1:])
		if err != nil {
			return err
		}
		return writeArchive(fs.Arg(0), entries, time.Unix(*mtime, 0).UTC())
	case "checksums":
		if len(args) != 1 {
			return fmt.Errorf("usage: releasetool checksums DIR")
		}
		return writeChecksums(args[0])
	case "verify":
		if len(args) != 3 {
			return fmt.Errorf("usage: releasetool verify DIR VERSION COMMIT")
		}
		if err := verify(args[0], args[1], args[2]); err != nil {
			return err
		}
		fmt.Printf("release in %s: %d archives, checksums, SBOMs and binaries of %s check out\n", args[0], len(targets), args[1])
		return nil
	}
	return fmt.Errorf("unknown command %q: want archive, checksums or verify", args[0])
}
