package inspector

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/featureview"
	"github.com/hark-audio/hark/views/render"
)

// drawKey is everything a drawing depends on; equal keys give equal drawings.
type drawKey struct {
	res        *extract.Result
	w, h       int
	start, end int
	cursor     render.Cursor
	profile    colorprofile.Profile
	unit       string
}

// View implements common.Component: two header lines, then the drawing.
func (m *Inspector) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	st := &m.c.Styles
	it, ok := m.item()
	if !ok {
		return common.Fit("\n"+st.Subtle.Render("No clip yet: pick one in Datasets (press 1), then enter."), m.w, m.h)
	}
	if m.h <= 2 {
		return common.Fit(m.header(it), m.w, m.h)
	}
	return m.header(it) + "\n" + m.body(it, m.h-2)
}

// header is the clip line and the view line.
func (m *Inspector) header(it dataset.Item) string {
	st := &m.c.Styles
	var right []string
	if it.Duration > 0 {
		right = append(right, fmt.Sprintf("%.2f s", it.Duration.Seconds()))
	}
	if it.SampleRate > 0 {
		right = append(right, fmt.Sprintf("%d Hz", it.SampleRate))
	}
	if b, ok := m.cache.get(cacheKey(it.Path, beatsConfig())); ok && b.res != nil {
		right = append(right, fmt.Sprintf("%.0f BPM", b.res.Tempo))
	}
	rightText := strings.Join(right, "  ")
	// The label and group come along only where they fit whole.
	room := m.w - ansi.StringWidth(rightText) - 1
	left := st.Label.Render(fmt.Sprintf("clip %d/%d", m.pos+1, len(m.items))) + " " + st.Title.Render(it.ID)
	for _, f := range [][2]string{{"label", it.Label}, {"group", it.Group}} {
		if f[1] == "" {
			continue
		}
		more := "  " + st.Label.Render(f[0]) + " " + f[1]
		if ansi.StringWidth(left+more) > room {
			break
		}
		left += more
	}
	line1 := common.Spread(left, st.Subtle.Render(rightText), m.w)

	var tabs []string
	for i, v := range views() {
		switch {
		case i == m.view && st.ASCII:
			tabs = append(tabs, "["+v.name+"]")
		case i == m.view:
			tabs = append(tabs, st.TabActive.Render(" "+v.name+" "))
		default:
			tabs = append(tabs, " "+v.name+" ")
		}
	}
	fields := []string{"sync off"}
	if m.sync {
		fields[0] = "sync on"
	}
	// Only the parameters that change what is drawn.
	switch views()[m.view].kind {
	case "stft", "chroma":
		fields = append(fields, fmt.Sprintf("n_fft %d", m.nfft))
	case "mel-db", "mfcc":
		fields = append(fields, fmt.Sprintf("n_fft %d mels %d", m.nfft, m.nmels))
	}
	if m.zoom > 1 {
		fields = append(fields, fmt.Sprintf("zoom %dx", m.zoom))
	}
	line2 := strings.Join(tabs, "") + " " + strings.Join(fields, st.Subtle.Render(st.Sep))
	return common.Pad(line1, m.w) + "\n" + common.Pad(line2, m.w)
}

// body is the drawing, or what stands in for it while it is computed or when it failed, in
// exactly h lines. The drawing is not measured again: the renderers fill their box exactly,
// and measuring a full colour frame costs more than drawing it from the cache.
func (m *Inspector) body(it dataset.Item, h int) string {
	st := &m.c.Styles
	v := views()[m.view]
	cfg := m.config()
	for _, c := range []extract.Config{beatsConfig(), cfg} {
		o, ok := m.cache.get(cacheKey(it.Path, c))
		switch {
		case !ok:
			msg := st.Subtle.Render(fmt.Sprintf("computing %s of %s ...", describeKind(c.Kind), it.ID))
			return common.Fit("\n"+msg, m.w, h)
		case o.err != nil:
			msg := ansi.Wordwrap("could not compute "+describeKind(c.Kind)+": "+o.err.Error(), m.w, " /")
			return common.Fit("\n"+st.Error.Render(msg), m.w, h)
		}
	}
	t, _ := m.timeline()
	r := m.result()
	span := m.span(t.frames)
	end := min(t.frames, m.start+span)
	k := drawKey{res: r, w: m.w, h: h, profile: m.c.Profile}
	if v.kind == "beats" {
		k.start, k.end = m.start*t.hop, min(len(r.Wave), end*t.hop)
		k.cursor = render.Cursor{Frame: m.frame * t.hop}
	} else {
		k.start, k.end = t.column(m.start), t.column(end-1)+1
		k.cursor = render.Cursor{Frame: t.column(m.frame), Bin: m.bin(r.Matrix.Rows)}
		if v.kind == "stft" {
			k.unit = "dB"
		}
	}
	if k != m.drawn || m.drawing == "" {
		m.drawn = k
		if r.Beats == nil && cfg.BeatSync == "" {
			// Mark the clip's beats on every plain view: a shallow copy, the matrix is shared.
			withBeats := *r
			withBeats.Beats = m.beats(it)
			r = &withBeats
		}
		m.drawing = featureview.Draw(r, cfg, featureview.Options{
			Width: k.w, Height: k.h, Profile: k.profile, Start: k.start, End: k.end,
			Cursor: k.cursor, ShowCursor: true, Unit: k.unit,
		})
	}
	return m.drawing
}

// beats are the clip's beat frames, from its beats result.
func (m *Inspector) beats(it dataset.Item) []int {
	if o, ok := m.cache.get(cacheKey(it.Path, beatsConfig())); ok && o.res != nil {
		return o.res.Beats
	}
	return nil
}

// describeKind names a kind in status lines.
func describeKind(kind string) string {
	switch kind {
	case "beats":
		return "the waveform and beats"
	case "stft":
		return "the spectrogram"
	case "mel-db":
		return "the mel spectrogram"
	case "mfcc":
		return "the MFCC"
	case "chroma":
		return "the chromagram"
	}
	return kind
}
