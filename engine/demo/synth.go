package demo

import (
	"math"
	"math/rand/v2"
)

// Classes are the demo's labels, in folder order. Each is a small synthesiser; together they
// differ in rhythm (drums, hihat), harmony (chords, arpeggio, bass) and timbre (vowel).
var classes = []struct {
	name  string
	synth func(c *clip)
}{
	{"arpeggio", arpeggio},
	{"bass", bass},
	{"chords", chords},
	{"drums", drums},
	{"hihat", hihat},
	{"vowel", vowel},
}

// Classes returns the demo's class names in the order their folders sort.
func Classes() []string {
	out := make([]string, len(classes))
	for i, c := range classes {
		out[i] = c.name
	}
	return out
}

// clip is one clip being synthesised: its parameters (drawn from rng) and its samples.
type clip struct {
	rng        *rand.Rand
	sr         int
	y          []float64
	tempo      float64 // beats per minute
	root       float64 // MIDI note of the key
	brightness float64 // 0 (dull) .. 1 (bright): harmonic roll-off and filter cut-offs
	detune     float64 // the group's tuning offset in semitones
}

func (c *clip) beat() float64 { return 60 / c.tempo }

func midiHz(n float64) float64 { return 440 * math.Pow(2, (n-69)/12) }

// add mixes a note of dur seconds at t seconds: partials of f0 with amplitudes falling as
// k^-(3-2*brightness), shaped by an attack/decay envelope.
func (c *clip) add(t, dur, f0, amp, attack, decay float64) {
	start := int(t * float64(c.sr))
	n := int(dur * float64(c.sr))
	roll := 3 - 2*c.brightness
	nyq := float64(c.sr) / 2
	for k := 1; k <= 12 && float64(k)*f0 < nyq*0.9; k++ {
		a := amp * math.Pow(float64(k), -roll)
		w := 2 * math.Pi * float64(k) * f0 / float64(c.sr)
		for i := 0; i < n && start+i < len(c.y); i++ {
			if start+i < 0 {
				continue
			}
			ts := float64(i) / float64(c.sr)
			env := math.Min(1, ts/attack) * math.Exp(-ts/decay)
			c.y[start+i] += a * env * math.Sin(w*float64(i))
		}
	}
}

// noiseBurst mixes white noise of dur seconds at t, high-passed by a one-pole filter whose
// cut-off rises with brightness.
func (c *clip) noiseBurst(t, dur, amp, decay, hp float64) {
	start := int(t * float64(c.sr))
	n := int(dur * float64(c.sr))
	prev, prevOut := 0.0, 0.0
	for i := 0; i < n && start+i < len(c.y); i++ {
		if start+i < 0 {
			continue
		}
		x := c.rng.NormFloat64()
		out := hp * (prevOut + x - prev) // one-pole high-pass
		prev, prevOut = x, out
		c.y[start+i] += amp * out * math.Exp(-float64(i)/float64(c.sr)/decay)
	}
}

func (c *clip) note(degree int, scale []int, octave int) float64 {
	d := scale[((degree%len(scale))+len(scale))%len(scale)]
	return midiHz(c.root + float64(d+12*octave) + c.detune)
}

var (
	major = []int{0, 4, 7}
	minor = []int{0, 3, 7}
)

func arpeggio(c *clip) {
	step := c.beat() / 2 // eighth notes
	for i, t := 0, 0.0; t < c.duration(); i, t = i+1, t+step {
		f := c.note(i, minor, 1+(i/3)%2)
		c.add(t, step*1.5, f, 0.35, 0.005, 0.12+0.1*c.brightness)
	}
}

func bass(c *clip) {
	for i, t := 0, 0.0; t < c.duration(); i, t = i+1, t+c.beat() {
		deg := []int{0, 0, 2, 1}[i%4] // root, root, fifth, third
		c.add(t, c.beat()*0.9, c.note(deg, major, -2), 0.6, 0.01, 0.25)
	}
}

func chords(c *clip) {
	prog := []int{0, 5, 7, 3} // I IV V iii-ish in semitones above the root
	for i, t := 0, 0.0; t < c.duration(); i, t = i+1, t+2*c.beat() {
		for _, d := range major {
			f := midiHz(c.root + float64(prog[i%4]+d) + c.detune)
			c.add(t, 2*c.beat(), f, 0.22, 0.08, 1.2)
		}
	}
}

func drums(c *clip) {
	for i, t := 0, 0.0; t < c.duration(); i, t = i+1, t+c.beat() {
		// kick: a sine sweeping down from 150 Hz on every beat
		start := int(t * float64(c.sr))
		phase := 0.0
		for j := 0; j < int(0.25*float64(c.sr)) && start+j < len(c.y); j++ {
			ts := float64(j) / float64(c.sr)
			f := 50 + 100*math.Exp(-ts/0.03)
			phase += 2 * math.Pi * f / float64(c.sr)
			c.y[start+j] += 0.8 * math.Exp(-ts/0.12) * math.Sin(phase)
		}
		if i%2 == 1 { // snare on the off-beats
			c.noiseBurst(t, 0.2, 0.35, 0.06, 0.6+0.35*c.brightness)
		}
	}
}

func hihat(c *clip) {
	step := c.beat() / 4
	for i, t := 0, 0.0; t < c.duration(); i, t = i+1, t+step {
		amp := 0.25
		if i%4 == 0 {
			amp = 0.4
		}
		swing := 0.0
		if i%2 == 1 {
			swing = step * 0.15
		}
		c.noiseBurst(t+swing, step, amp, 0.02, 0.93+0.06*c.brightness)
	}
}

// vowel is a glottal pulse train through two formant resonators, amplitude-modulated at a
// syllable rate tied to the tempo, so it has pitch, formants and a slow rhythm.
func vowel(c *clip) {
	f0 := midiHz(c.root + c.detune)
	formants := [][2]float64{{700, 1200}, {300, 2300}, {500, 900}}[c.rng.IntN(3)]
	period := float64(c.sr) / f0
	res := make([]resonator, 2)
	for k, f := range formants {
		res[k] = newResonator(f*(0.9+0.2*c.brightness), 80, c.sr)
	}
	rate := c.tempo / 60 * 2 // syllables per second
	for i := range c.y {
		x := 0.0
		if math.Mod(float64(i), period) < 1 {
			x = 1
		}
		v := 0.0
		for k := range res {
			v += res[k].step(x)
		}
		ts := float64(i) / float64(c.sr)
		c.y[i] += 0.05 * v * (0.55 + 0.45*math.Sin(2*math.Pi*rate*ts))
	}
}

// resonator is a two-pole band-pass filter at freq Hz with the given bandwidth.
type resonator struct{ a1, a2, g, y1, y2 float64 }

func newResonator(freq, bw float64, sr int) resonator {
	r := math.Exp(-math.Pi * bw / float64(sr))
	return resonator{a1: 2 * r * math.Cos(2*math.Pi*freq/float64(sr)), a2: -r * r, g: 1 - r}
}

func (r *resonator) step(x float64) float64 {
	y := r.g*x + r.a1*r.y1 + r.a2*r.y2
	r.y2, r.y1 = r.y1, y
	return y
}

func (c *clip) duration() float64 { return float64(len(c.y)) / float64(c.sr) }
