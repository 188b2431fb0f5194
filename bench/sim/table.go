package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Table is one printed table: plain strings, so that every format prints
// the same cells.
type Table struct {
	Title string
	Head  []string
	Rows  [][]string
	Notes []string
	Left  int // how many leading columns are labels, aligned left
}

// Formats lists the output formats.
var Formats = []string{"text", "markdown", "csv"}

// Write prints tables in a format: "text" (aligned columns), "markdown"
// (pipe tables) or "csv" (one header per table, the title in the first
// column).
func Write(w io.Writer, format string, tables []Table) error {
	switch format {
	case "text":
		return writeText(w, tables)
	case "markdown", "md":
		return writeMarkdown(w, tables)
	case "csv":
		return writeCSV(w, tables)
	}
	return fmt.Errorf("unknown format %q (want text, markdown or csv)", format)
}

func writeText(w io.Writer, tables []Table) error {
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n%s\n", t.Title, strings.Repeat("=", len(t.Title)))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		widths := make([]int, len(t.Head))
		for _, r := range append([][]string{t.Head}, t.Rows...) {
			for j, c := range r {
				widths[j] = max(widths[j], utf8.RuneCountInString(c))
			}
		}
		for _, r := range append([][]string{t.Head}, t.Rows...) {
			cells := make([]string, len(r))
			for j, c := range r {
				pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c))
				if j < t.Left {
					cells[j] = c + pad
				} else {
					cells[j] = pad + c
				}
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, n := range t.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	return nil
}

func writeMarkdown(w io.Writer, tables []Table) error {
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "#### %s\n\n", t.Title)
		fmt.Fprintf(w, "| %s |\n", strings.Join(t.Head, " | "))
		seps := make([]string, len(t.Head))
		for j := range seps {
			seps[j] = "---"
			if j >= t.Left {
				seps[j] = "---:"
			}
		}
		fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
		for _, r := range t.Rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		}
		if len(t.Notes) > 0 {
			fmt.Fprintln(w)
			for _, n := range t.Notes {
				fmt.Fprintf(w, "- %s\n", n)
			}
		}
	}
	return nil
}

func writeCSV(w io.Writer, tables []Table) error {
	cw := csv.NewWriter(w)
	for _, t := range tables {
		if err := cw.Write(append([]string{"table"}, t.Head...)); err != nil {
			return err
		}
		for _, r := range t.Rows {
			if err := cw.Write(append([]string{t.Title}, r...)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
