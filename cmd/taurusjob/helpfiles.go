package main

import (
	"embed"
	"regexp"
)

// The help of each command is text in help/NAME.txt (README.md says the
// same at more length), where a line {{PART}} stands for help/PART.txt or,
// for {{flags}}, the command's flags, listed by flagHelp from the flag sets
// it parses, so that help cannot drift from them.
//
//go:embed help/*.txt
var helpFiles embed.FS

var (
	mainUsage     = helpFile("main")
	exitCodesHelp = helpFile("exit-codes") // of wait and demo; README.md's table says the same
	helpPart      = regexp.MustCompile(`(?m)^\{\{([a-z-]+)\}\}\n`)
)

func helpFile(name string) string {
	b, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic(err) // a name above or in a help file that has no file
	}
	return string(b)
}

// helpText is the help of command name, with flags for its {{flags}}.
func helpText(name, flags string) string {
	return helpPart.ReplaceAllStringFunc(helpFile(name), func(line string) string {
		switch part := helpPart.FindStringSubmatch(line)[1]; part {
		case "flags":
			return flags
		case "job-spec":
			return jobSpecHelp
		default:
			return helpFile(part)
		}
	})
}
