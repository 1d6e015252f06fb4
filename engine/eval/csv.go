package eval

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/hark-audio/hark/internal/atomicfile"
)

// Row is one line of the predictions CSV (`id,true,pred,score`, one row per evaluated item): for
// classification the class names and the predicted class's probability; for binary and pair tasks
// the labels and the model's score.
type Row struct {
	ID    string
	True  string
	Pred  string
	Score float64
}

// csvHeader returns the predictions CSV's first line (a function, so that no package variable can
// be changed); the file is RFC 4180 CSV, so fields may be quoted.
func csvHeader() []string { return []string{"id", "true", "pred", "score"} }

// WritePredictions writes the header and the rows. Scores are written in the shortest form that
// reads back to the same float64. Fields must not contain line breaks, which CSV readers do not
// return intact.
func WritePredictions(w io.Writer, rows []Row) error {
	if err := writePredictions(w, rows); err != nil {
		return fmt.Errorf("eval: write predictions: %w", err)
	}
	return nil
}

// WritePredictionsFile writes the predictions CSV to path, replacing it.
func WritePredictionsFile(path string, rows []Row) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return writePredictions(w, rows) }); err != nil {
		return fmt.Errorf("eval: predictions: %w", err)
	}
	return nil
}

func writePredictions(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader()); err != nil {
		return err
	}
	for i, r := range rows {
		rec := []string{r.ID, r.True, r.Pred, strconv.FormatFloat(r.Score, 'g', -1, 64)}
		if err := checkFields(rec); err != nil {
			return fmt.Errorf("row %d (id %q): %w", i, r.ID, err)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadPredictions reads a predictions CSV; name (usually the file's path) prefixes error messages,
// which give the line of the problem: a wrong header, a row without exactly four fields, an empty
// id, a duplicate id, a field with a line break, or a score that is not a number. A UTF-8 byte
// order mark before the header is skipped. Blank lines are ignored.
func ReadPredictions(r io.Reader, name string) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // counted below, to name the line in our own words
	cr.ReuseRecord = true
	var rows []Row
	seen := map[string]int{} // id -> line
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			if first {
				return nil, fmt.Errorf("eval: %s: empty file, want the header %q", name, csvHeader())
			}
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("eval: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if first {
			if len(rec) > 0 {
				rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
			}
			if !slices.Equal(rec, csvHeader()) {
				return nil, fmt.Errorf("eval: %s:%d: header is %q, want %q", name, line, rec, csvHeader())
			}
			continue
		}
		if len(rec) != 4 {
			return nil, fmt.Errorf("eval: %s:%d: %d fields, want 4 (%q)", name, line, len(rec), csvHeader())
		}
		if err := checkFields(rec); err != nil {
			return nil, fmt.Errorf("eval: %s:%d: %w", name, line, err)
		}
		if rec[0] == "" {
			return nil, fmt.Errorf("eval: %s:%d: empty id", name, line)
		}
		if prev, dup := seen[rec[0]]; dup {
			return nil, fmt.Errorf("eval: %s:%d: id %q already on line %d", name, line, rec[0], prev)
		}
		seen[rec[0]] = line
		score, err := strconv.ParseFloat(rec[3], 64)
		if err != nil {
			return nil, fmt.Errorf("eval: %s:%d: score %q is not a valid number", name, line, rec[3])
		}
		rows = append(rows, Row{ID: rec[0], True: rec[1], Pred: rec[2], Score: score})
	}
}

// ReadPredictionsFile reads the predictions CSV at path.
func ReadPredictionsFile(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	defer f.Close()
	return ReadPredictions(f, path)
}

// checkFields rejects line breaks inside a field: a quoted CR LF would come back as LF, so such a
// row could not be read back as written.
func checkFields(rec []string) error {
	for _, f := range rec {
		if strings.ContainsAny(f, "\r\n") {
			return fmt.Errorf("field %q contains a line break", f)
		}
	}
	return nil
}
