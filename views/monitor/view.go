package monitor

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/views/common"
)

// sideBySideFrom is the width from which the two charts sit side by side.
const sideBySideFrom = 100

// chartKey is everything a chart depends on.
type chartKey struct {
	id      string
	version int
	w, h    int
	ema     float64
	smooth  bool
	ascii   bool
	metric  string
}

// chartCache keeps the last charts drawn: between epochs only the progress lines change.
type chartCache struct {
	key          chartKey
	loss, metric string
}

// View implements common.Component.
func (m *Monitor) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	st := &m.c.Styles
	r := m.book.Get(m.sel)
	if r == nil {
		msg := "No runs yet: set one up in Train (press 3) and press enter."
		if m.c.Engine.Watch == nil {
			msg = "This workbench cannot train: it has no training engine."
		}
		return common.Fit("\n"+st.Subtle.Render(msg), m.w, m.h)
	}
	lines := []string{m.titleLine(r), m.strip(), m.progressLine(r), m.statsLine(r)}
	chartRows := m.h - len(lines) - 1
	if chartRows >= 3 {
		loss, metric := m.charts2(r, chartRows)
		if m.w >= sideBySideFrom {
			lw := m.w / 2
			ll, ml := strings.Split(loss, "\n"), strings.Split(metric, "\n")
			for i := range chartRows {
				lines = append(lines, common.Pad(ll[i], lw)+ml[i])
			}
		} else {
			lines = append(lines, loss, metric)
		}
	}
	return common.Fit(strings.Join(lines, "\n")+"\n"+m.statusLine(r), m.w, m.h)
}

// charts2 draws (or reuses) the loss and metric charts in rows lines together.
func (m *Monitor) charts2(r *common.RunView, rows int) (string, string) {
	metric := "metric"
	if last := r.Info.Last; last != nil && last.Metric != "" {
		metric = last.Metric
	}
	cw, lh, mh := m.w, rows/2, rows-rows/2
	if m.w >= sideBySideFrom {
		cw, lh, mh = m.w/2-1, rows, rows
	}
	k := chartKey{id: r.Info.ID, version: r.Version, w: cw, h: rows, ema: m.ema, smooth: m.smooth,
		ascii: m.c.Styles.ASCII, metric: metric}
	if k == m.charts.key && m.charts.loss != "" {
		return m.charts.loss, m.charts.metric
	}
	n := len(r.Epochs)
	tl, vl, tm, vm := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, e := range r.Epochs {
		if e.Epoch == 0 {
			tl[i], vl[i], tm[i], vm[i] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
			continue
		}
		tl[i], vl[i], tm[i], vm[i] = e.TrainLoss, e.ValLoss, e.TrainMetric, e.ValMetric
	}
	st := &m.c.Styles
	m.charts = chartCache{
		key:    k,
		loss:   drawChart(curve{title: "loss", train: tl, val: vl}, m.ema, m.smooth, cw, lh, st),
		metric: drawChart(curve{title: metric, train: tm, val: vm}, m.ema, m.smooth, cw, mh, st),
	}
	return m.charts.loss, m.charts.metric
}

func (m *Monitor) titleLine(r *common.RunView) string {
	st := &m.c.Styles
	spec := r.Info.Spec
	left := st.Title.Render(r.Title()) + "  " + m.stateText(r)
	var facts []string
	if spec.Model.Preset != "" {
		facts = append(facts, spec.Model.Preset)
	}
	if k := spec.Features.Config.Kind; k != "" {
		facts = append(facts, k)
	}
	if s := r.Started; s != nil {
		if s.Params > 0 {
			facts = append(facts, fmt.Sprintf("%d params", s.Params))
		}
		if n := s.Sizes["train"]; n > 0 {
			facts = append(facts, fmt.Sprintf("%d/%d train/val", n, s.Sizes["val"]))
		}
	}
	if r.Info.Owner != "" && r.Info.Owner != "local" {
		facts = append(facts, "by "+r.Info.Owner)
	}
	if len(facts) > 0 {
		left += "  " + st.Subtle.Render(strings.Join(facts, st.Sep))
	}
	right := fmt.Sprintf("run %d/%d", m.book.Index(r.Info.ID)+1, m.book.Len())
	if m.follow {
		right += " following"
	}
	return common.Spread(left, st.Subtle.Render(right), m.w)
}

func (m *Monitor) stateText(r *common.RunView) string {
	st := &m.c.Styles
	s := r.StateGlyph()
	switch r.Info.State {
	case engine.StateFailed:
		return st.Error.Render(s)
	case engine.StateStopped:
		return st.Warning.Render(s)
	case engine.StateRunning:
		return st.Label.Render(s)
	}
	return s
}

// strip lists the runs on one line around the selected one.
func (m *Monitor) strip() string {
	line, _ := m.stripLayout()
	return line
}

// runSpan is where a run's label is on the strip: columns [from, to) of run index i.
type runSpan struct{ from, to, i int }

// stripLayout draws the strip and says where each run's label is, for mouse clicks.
func (m *Monitor) stripLayout() (string, []runSpan) {
	st := &m.c.Styles
	width := 0
	sel := m.book.Index(m.sel)
	// Start far enough left that the selected run shows.
	first := 0
	for i := sel; i >= 0; i-- {
		width += len(m.book.At(i).Info.ID) + len(m.book.At(i).StateGlyph()) + 4
		if width > m.w-4 {
			break
		}
		first = i
	}
	line := ""
	if first > 0 {
		line = st.Ellipsis + " "
	}
	var spans []runSpan
	for i := first; i < m.book.Len(); i++ {
		r := m.book.At(i)
		label := r.Info.ID + " " + r.StateGlyph()
		switch {
		case i == sel && st.ASCII:
			label = "[" + label + "]"
		case i == sel:
			label = st.Selected.Render(" " + label + " ")
		default:
			label = " " + label + " "
		}
		if i > first {
			line += " "
		}
		x := ansi.StringWidth(line)
		spans = append(spans, runSpan{x, x + ansi.StringWidth(label), i})
		line += label
	}
	return common.Pad(line, m.w), spans
}

// epochs returns the epochs done and the planned total.
func epochs(r *common.RunView) (done, total int) {
	total = r.Info.Spec.Train.Epochs
	if total == 0 {
		total = 30
	}
	if last := r.Info.Last; last != nil {
		done = last.Epoch
		if last.Epochs > 0 {
			total = last.Epochs
		}
	}
	return done, total
}

// batchFrac is how far the epoch after done is, from the latest batch report.
func batchFrac(r *common.RunView, done int) (frac float64, batch, batches int) {
	b := r.Batch
	if b == nil || b.Epoch != done+1 || b.Batches <= 0 {
		return 0, 0, 0
	}
	return float64(b.Batch) / float64(b.Batches), b.Batch, b.Batches
}

func (m *Monitor) progressLine(r *common.RunView) string {
	st := &m.c.Styles
	done, total := epochs(r)
	if r.Info.State == engine.StateQueued {
		return st.Subtle.Render("queued: it starts when the runs before it end")
	}
	frac, batch, batches := batchFrac(r, done)
	label := fmt.Sprintf("epoch %d/%d ", min(total, done+btoi(batches > 0)), total)
	barW := max(4, min(40, (m.w-len(label)-30)/2))
	line := st.Label.Render(label) + st.BarOf((float64(done)+frac)/float64(total), barW)
	if batches > 0 {
		line += st.Label.Render(fmt.Sprintf("  batch %d/%d ", batch, batches)) + st.BarOf(frac, max(4, barW/2))
	}
	return common.Pad(line, m.w)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// throughput is the latest samples per second: the epoch in progress, else the last epoch.
func throughput(r *common.RunView) float64 {
	done, _ := epochs(r)
	if b := r.Batch; b != nil && b.Epoch == done+1 && b.SamplesPerSecond > 0 {
		return b.SamplesPerSecond
	}
	if l := r.Info.Last; l != nil {
		return l.SamplesPerSecond
	}
	return 0
}

// ETA estimates the time left if every planned epoch runs (early stopping may end it sooner):
// the mean epoch time so far, or before the first epoch ends, the epoch's batches at the
// current throughput.
func ETA(r *common.RunView) (time.Duration, bool) {
	if r.Info.State != engine.StateRunning {
		return 0, false
	}
	done, total := epochs(r)
	frac, _, batches := batchFrac(r, done)
	var secs float64
	var n int
	for _, e := range r.Epochs {
		if e.Epoch > 0 && e.Seconds > 0 {
			secs += e.Seconds
			n++
		}
	}
	perEpoch := 0.0
	switch {
	case n > 0:
		perEpoch = secs / float64(n)
	case batches > 0 && throughput(r) > 0:
		bs := r.Info.Spec.Train.Batch
		if bs == 0 {
			bs = 32
		}
		perEpoch = float64(batches*bs) / throughput(r)
	default:
		return 0, false
	}
	left := (float64(total-done) - frac) * perEpoch
	return time.Duration(max(0, left) * float64(time.Second)), true
}

func (m *Monitor) statsLine(r *common.RunView) string {
	st := &m.c.Styles
	var f []string
	add := func(label, value string) { f = append(f, st.Label.Render(label)+" "+value) }
	done, _ := epochs(r)
	if b := r.Batch; b != nil && b.Epoch == done+1 {
		add("loss", trimFloat(b.Loss, 3))
	} else if l := r.Info.Last; l != nil {
		add("loss", trimFloat(l.TrainLoss, 3))
	}
	if sps := throughput(r); sps > 0 {
		f = append(f, fmt.Sprintf("%.0f ", sps)+st.Label.Render("samples/s"))
	}
	if eta, ok := ETA(r); ok {
		add("ETA", duration(eta))
	}
	rate := r.Info.Spec.Train.LR
	if l := r.Info.Last; l != nil && l.LR > 0 {
		rate = l.LR
	}
	if rate > 0 {
		add("lr", lr(rate))
	}
	patience := r.Info.Spec.Train.EarlyStop.Patience
	if l := r.Info.Last; l != nil {
		if l.Best > 0 {
			best := fmt.Sprintf("%d", l.Best)
			if m.w >= sideBySideFrom && l.Best <= len(r.Epochs) && r.Epochs[l.Best-1].Epoch > 0 {
				e := r.Epochs[l.Best-1]
				if r.Info.Spec.Train.EarlyStop.Monitor == "val_metric" {
					best += fmt.Sprintf(" (%s %s)", e.Metric, trimFloat(e.ValMetric, 3))
				} else {
					best += fmt.Sprintf(" (val loss %s)", trimFloat(e.ValLoss, 3))
				}
			}
			add("best epoch", best)
		}
		if patience > 0 {
			wait := fmt.Sprintf("%d/%d", l.Wait, patience)
			if l.Wait >= patience-1 && l.Wait > 0 {
				wait = st.Warning.Render(wait)
			}
			add("wait", wait)
		}
	}
	if patience == 0 {
		f = append(f, st.Subtle.Render("no early stopping"))
	}
	return common.Pad(strings.Join(f, st.Subtle.Render(st.Sep)), m.w)
}

// statusLine is the last line: a message, the run's outcome, or the smoothing setting.
func (m *Monitor) statusLine(r *common.RunView) string {
	st := &m.c.Styles
	switch {
	case m.status != "" && m.statusErr:
		return common.Cut(st.Error.Render(m.status), m.w, st.Ellipsis)
	case m.status != "":
		return common.Cut(m.status, m.w, st.Ellipsis)
	case r.Info.State == engine.StateFailed:
		return common.Cut(st.Error.Render("failed: "+r.Info.Err), m.w, st.Ellipsis)
	}
	smooth := "smoothing off (s)"
	if m.smooth && m.ema > 0 {
		smooth = fmt.Sprintf("EMA weight %.1f (+/- to change, s: off)", m.ema)
	}
	if res := r.Result(); res != nil {
		var f []string
		for _, k := range []string{"accuracy", "macro_f1", "mean_spearman"} {
			if v, ok := res.Metrics[k]; ok {
				f = append(f, fmt.Sprintf("%s %.3f", k, v))
			}
		}
		if res.AUC != nil {
			f = append(f, fmt.Sprintf("auc %.3f", *res.AUC))
		}
		out := r.StateGlyph() + ": " + strings.Join(f, ", ")
		if res.Split != "" {
			out += " on " + res.Split
		}
		return common.Cut(out+st.Subtle.Render(" (enter: results)  ")+st.Subtle.Render(smooth), m.w, st.Ellipsis)
	}
	return st.Subtle.Render(smooth)
}
