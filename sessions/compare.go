package sessions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hark-audio/hark/engine/train"
)

// Summary is one line of the Sessions pane: what a session is about and how well it did.
type Summary struct {
	File    string    `json:"file,omitempty"`
	Name    string    `json:"name,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	Hark    string    `json:"hark"`
	// Dataset and Layout are the best run's dataset (else the first one opened).
	Dataset string `json:"dataset,omitempty"`
	Layout  string `json:"layout,omitempty"`
	// Model and Task are the best run's.
	Model string `json:"model,omitempty"`
	Task  string `json:"task,omitempty"`
	// Runs counts the runs; Status is the best run's status, or "running" when any run is.
	Runs   int    `json:"runs"`
	Status string `json:"status,omitempty"`
	// BestRun is the ID of the run with the best Metric; Best its value, From where it comes
	// from ("test", "val", or "val epoch N" for a run without a final result).
	BestRun string   `json:"best_run,omitempty"`
	Metric  string   `json:"metric,omitempty"`
	Best    *float64 `json:"best,omitempty"`
	From    string   `json:"from,omitempty"`
	Epochs  int      `json:"epochs,omitempty"`
	// Integrity is "ok", or "missing"/"mismatch" for a file read despite its checksum.
	Integrity string `json:"integrity,omitempty"`
}

// lowerIsBetter says whether smaller values of a metric are better.
func lowerIsBetter(metric string) bool {
	m := strings.ToLower(metric)
	return strings.HasSuffix(m, "loss") || m == "eer" || m == "mse" || m == "mae" || strings.HasSuffix(m, "_mse") || strings.HasSuffix(m, "_mae")
}

// better says whether a beats b for metric (NaN never beats anything).
func better(metric string, a, b float64) bool {
	if math.IsNaN(a) {
		return false
	}
	if math.IsNaN(b) {
		return true
	}
	if lowerIsBetter(metric) {
		return a < b
	}
	return a > b
}

// Headline returns the run's main number: the final result's accuracy (classification and
// pairs) or mean Spearman (regression), else the best validation metric of its epochs.
func (r *Run) Headline() (metric string, value float64, from string, ok bool) {
	if res := r.Result; res != nil {
		for _, k := range []string{"accuracy", "mean_spearman", "auc", "macro_f1"} {
			if v, has := res.Metrics[k]; has {
				return k, v, res.Split, true
			}
		}
		if res.AUC != nil {
			return "auc", *res.AUC, res.Split, true
		}
	}
	best, epoch := math.NaN(), 0
	name := ""
	for _, e := range r.Epochs() {
		name = e.Metric
		if epoch == 0 || better(e.Metric, e.ValMetric, best) {
			best, epoch = e.ValMetric, e.Epoch
		}
	}
	if epoch == 0 {
		return "", 0, "", false
	}
	return name, best, fmt.Sprintf("val epoch %d", epoch), true
}

// Summary describes the session for the Sessions pane.
func (s *Session) Summary() Summary {
	sum := Summary{File: s.File, Name: s.Name, Created: s.Created, Updated: s.Updated, Hark: s.Hark, Integrity: s.Integrity}
	if len(s.Datasets) > 0 {
		sum.Dataset, sum.Layout = s.Datasets[0].Path, s.Datasets[0].Layout
	}
	runs := s.Runs()
	sum.Runs = len(runs)
	var best *Run
	bestV := math.NaN()
	for _, r := range runs {
		m, v, from, ok := r.Headline()
		if ok && (best == nil || m == sum.Metric && better(m, v, bestV)) {
			best, bestV, sum.Metric, sum.From = r, v, m, from
		}
	}
	if best == nil && len(runs) > 0 {
		best = runs[len(runs)-1]
	}
	if best != nil {
		sum.BestRun, sum.Model, sum.Task, sum.Status = best.ID, best.ModelName(), best.Task(), best.Status
		sum.Epochs = len(best.Epochs())
		if root := best.ReplaySpec().Dataset.Spec.Root; root != "" {
			sum.Dataset, sum.Layout = root, best.ReplaySpec().Dataset.Spec.Layout
		}
		if sum.Metric != "" && !math.IsNaN(bestV) && !math.IsInf(bestV, 0) {
			v := bestV
			sum.Best = &v
		}
	}
	for _, r := range runs {
		if r.Status == StatusRunning {
			sum.Status = StatusRunning
		}
	}
	return sum
}

// String is the summary in a few lines.
func (s Summary) String() string {
	var b strings.Builder
	title := s.File
	if s.Name != "" {
		title = s.Name + " (" + s.File + ")"
	}
	fmt.Fprintf(&b, "session %s\n", title)
	fmt.Fprintf(&b, "  created %s by hark %s", s.Created.Format("2006-01-02 15:04:05 UTC"), s.Hark)
	if !s.Updated.IsZero() {
		fmt.Fprintf(&b, ", last written %s", s.Updated.Format("2006-01-02 15:04:05 UTC"))
	}
	b.WriteByte('\n')
	if s.Dataset != "" {
		fmt.Fprintf(&b, "  dataset %s", s.Dataset)
		if s.Layout != "" {
			fmt.Fprintf(&b, " (%s)", s.Layout)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "  %d run(s)", s.Runs)
	if s.BestRun != "" {
		fmt.Fprintf(&b, "; best %s: model %s, %s, %d epoch(s)", s.BestRun, orDash(s.Model), orDash(s.Status), s.Epochs)
		if s.Best != nil {
			fmt.Fprintf(&b, ", %s %.4f (%s)", s.Metric, *s.Best, s.From)
		}
	}
	b.WriteByte('\n')
	if s.Integrity != "" && s.Integrity != "ok" {
		fmt.Fprintf(&b, "  WARNING: checksum %s: the file was edited after Hark wrote it\n", s.Integrity)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Table compares runs: the settings that differ between them and their metrics, with each
// metric's difference from the first row and the best row of each metric.
type Table struct {
	// Params are the RunSpec settings (dotted JSON paths) whose values differ between rows.
	Params []string `json:"params"`
	// Metrics are the metric columns: the final results' metrics (accuracy, macro_f1, loss,
	// mean_spearman, auc, eer, ...) and best_val, the best validation metric over the epochs.
	Metrics []string `json:"metrics"`
	Rows    []Row    `json:"rows"`
	// Best maps each metric to the index of its best row (lower is better for losses, eer,
	// mse and mae; higher for the rest).
	Best map[string]int `json:"best"`
}

// Row is one run in a Table.
type Row struct {
	Session   string            `json:"session"`
	Run       string            `json:"run"`
	Label     string            `json:"label"`
	Status    string            `json:"status"`
	Model     string            `json:"model,omitempty"`
	Epochs    int               `json:"epochs"`
	BestEpoch int               `json:"best_epoch,omitempty"`
	Params    map[string]string `json:"params"`
	// Metrics holds the row's values; Delta the difference from the first row's (absent where
	// either is missing). Undefined values are null in JSON.
	Metrics map[string]float64 `json:"metrics"`
	Delta   map[string]float64 `json:"delta,omitempty"`
}

// Compare builds the comparison table of every run of the given sessions, in order (a grid
// writes one session per cell: compare them all).
func Compare(sessions ...*Session) Table {
	t := Table{Params: []string{}, Metrics: []string{}, Rows: []Row{}, Best: map[string]int{}}
	var flat []map[string]string
	metricSet := map[string]bool{}
	for _, s := range sessions {
		name := s.Name
		if name == "" {
			name = s.File
		}
		for _, r := range s.Runs() {
			row := Row{Session: name, Run: r.ID, Label: r.Label(), Status: r.Status, Model: r.ModelName(),
				Epochs: len(r.Epochs()), Metrics: map[string]float64{}}
			if res := r.Result; res != nil {
				for k, v := range res.Metrics {
					row.Metrics[k] = v
				}
				if res.AUC != nil {
					row.Metrics["auc"] = *res.AUC
				}
				if res.EER != nil {
					row.Metrics["eer"] = *res.EER
				}
				row.BestEpoch = res.BestEpoch
			}
			best, seen := math.NaN(), false
			for _, e := range r.Epochs() {
				if !seen || better(e.Metric, e.ValMetric, best) {
					best, seen = e.ValMetric, true
					if r.Result == nil {
						row.BestEpoch = e.Epoch
					}
				}
			}
			if seen {
				row.Metrics["best_val"] = best
			}
			for k := range row.Metrics {
				metricSet[k] = true
			}
			t.Rows = append(t.Rows, row)
			flat = append(flat, flattenSpec(r.ReplaySpec()))
		}
	}
	// Settings that differ between rows.
	keys := map[string]bool{}
	for _, f := range flat {
		for k := range f {
			keys[k] = true
		}
	}
	for _, k := range slices.Sorted(mapKeys(keys)) {
		for _, f := range flat[1:] {
			if f[k] != flat[0][k] {
				t.Params = append(t.Params, k)
				break
			}
		}
	}
	for i := range t.Rows {
		t.Rows[i].Params = map[string]string{}
		for _, k := range t.Params {
			t.Rows[i].Params[k] = flat[i][k]
		}
	}
	// Metric columns: the usual ones first, then the others alphabetically.
	order := []string{"accuracy", "macro_f1", "weighted_f1", "mean_spearman", "auc", "eer", "clip_accuracy", "loss", "best_val"}
	for _, m := range order {
		if metricSet[m] {
			t.Metrics = append(t.Metrics, m)
			delete(metricSet, m)
		}
	}
	rest := slices.Sorted(mapKeys(metricSet))
	t.Metrics = append(t.Metrics[:len(t.Metrics):len(t.Metrics)], rest...)
	if i := slices.Index(t.Metrics, "best_val"); i >= 0 { // keep best_val last
		t.Metrics = append(append(t.Metrics[:i:i], t.Metrics[i+1:]...), "best_val")
	}
	for _, m := range t.Metrics {
		bi := -1
		for i, row := range t.Rows {
			v, ok := row.Metrics[m]
			if ok && (bi < 0 || better(m, v, t.Rows[bi].Metrics[m])) {
				bi = i
			}
		}
		if bi >= 0 {
			t.Best[m] = bi
		}
	}
	if len(t.Rows) > 0 {
		base := t.Rows[0].Metrics
		for i := range t.Rows[1:] {
			row := &t.Rows[i+1]
			row.Delta = map[string]float64{}
			for m, v := range row.Metrics {
				if b, ok := base[m]; ok {
					row.Delta[m] = v - b
				}
			}
		}
	}
	return t
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// flattenSpec lists a spec's settings as dotted JSON paths and their values as text (lists
// and objects as compact JSON), leaving out the run's name and the thread count (they change
// nothing).
func flattenSpec(spec train.RunSpec) map[string]string {
	out := map[string]string{}
	data, err := encodeJSON(spec)
	if err != nil {
		return out
	}
	tree, err := parseTree(data)
	if err != nil {
		return out
	}
	var walk func(prefix string, x any)
	walk = func(prefix string, x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, v)
			}
		case string:
			out[prefix] = x
		case json.Number:
			out[prefix] = x.String()
		case nil:
			out[prefix] = "null"
		default:
			b, _ := json.Marshal(x)
			out[prefix] = string(b)
		}
	}
	walk("", tree)
	delete(out, "name")
	delete(out, "train.threads")
	return out
}

// String renders the table for a terminal: one row per run, the differing settings, then the
// metrics with their difference from the first row in parentheses; * marks each metric's best.
func (t Table) String() string {
	if len(t.Rows) == 0 {
		return "no runs to compare\n"
	}
	header := []string{"#", "run"}
	short := func(p string) string {
		if i := strings.LastIndexByte(p, '.'); i >= 0 && !t.ambiguous(p[i+1:]) {
			return p[i+1:]
		}
		return p
	}
	for _, p := range t.Params {
		header = append(header, short(p))
	}
	header = append(header, t.Metrics...)
	header = append(header, "epochs", "best", "status")
	cells := [][]string{header}
	for i, row := range t.Rows {
		line := []string{strconv.Itoa(i + 1), row.Label}
		for _, p := range t.Params {
			v := row.Params[p]
			if len(v) > 24 {
				v = v[:21] + "..."
			}
			line = append(line, v)
		}
		for _, m := range t.Metrics {
			v, ok := row.Metrics[m]
			if !ok {
				line = append(line, "-")
				continue
			}
			c := fmtMetric(v)
			if d, ok := row.Delta[m]; ok && i > 0 {
				c += " (" + fmtDelta(d) + ")"
			}
			if t.Best[m] == i && len(t.Rows) > 1 {
				c += " *"
			}
			line = append(line, c)
		}
		best := "-"
		if row.BestEpoch > 0 {
			best = strconv.Itoa(row.BestEpoch)
		}
		line = append(line, strconv.Itoa(row.Epochs), best, row.Status)
		cells = append(cells, line)
	}
	widths := make([]int, len(header))
	for _, line := range cells {
		for j, c := range line {
			widths[j] = max(widths[j], len(c))
		}
	}
	var b strings.Builder
	for _, line := range cells {
		for j, c := range line {
			if j > 0 {
				b.WriteString("  ")
			}
			if j == len(line)-1 {
				b.WriteString(c)
			} else {
				fmt.Fprintf(&b, "%-*s", widths[j], c)
			}
		}
		b.WriteByte('\n')
	}
	if len(t.Rows) > 1 {
		b.WriteString("(differences from run 1 in parentheses, = for the same value; * marks the best of each metric)\n")
	}
	return b.String()
}

func (t Table) ambiguous(last string) bool {
	n := 0
	for _, p := range t.Params {
		if p == last || strings.HasSuffix(p, "."+last) {
			n++
		}
	}
	return n > 1
}

func fmtMetric(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if v != 0 && (math.Abs(v) < 1e-3 || math.Abs(v) >= 1e5) {
		return strconv.FormatFloat(v, 'e', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func fmtDelta(d float64) string {
	switch {
	case math.IsNaN(d) || math.IsInf(d, 0):
		return "n/a"
	case d == 0:
		return "=" // the same bits
	case math.Abs(d) >= 1e-4:
		return fmt.Sprintf("%+.4f", d)
	}
	return fmt.Sprintf("%+.1e", d)
}

// JSON renders the table as one indented JSON document (undefined values as null).
func (t Table) JSON() ([]byte, error) {
	data, err := encodeJSON(t)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, data, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
