package audio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// sampleKind is how one stored sample is laid out.
type sampleKind int

const (
	kindU8 sampleKind = iota // unsigned 8-bit, offset 128 (WAV)
	kindS8                   // signed 8-bit (.au)
	kindS16
	kindS24
	kindS32
	kindF32
	kindF64
	kindULaw // G.711 mu-law
	kindALaw // G.711 A-law
)

// codec is a stored sample format: kind, width in bytes and byte order.
type codec struct {
	kind      sampleKind
	width     int // bytes per sample
	bigEndian bool
}

// encoding is the Info.Encoding name of the codec.
func (c codec) encoding() string {
	switch c.kind {
	case kindU8:
		return "pcm_u8"
	case kindS8:
		return "pcm_s8"
	case kindS16:
		return "pcm_s16"
	case kindS24:
		return "pcm_s24"
	case kindS32:
		return "pcm_s32"
	case kindF32:
		return "float32"
	case kindF64:
		return "float64"
	case kindULaw:
		return "mulaw"
	default:
		return "alaw"
	}
}

// decodeSamples converts len(dst) stored samples from src (len(dst)*c.width bytes) into dst.
// Each kind has its own loop so the per-sample work is a load, a conversion and a store.
func (c codec) decodeSamples(dst []float32, src []byte) {
	var be = c.bigEndian
	switch c.kind {
	case kindU8:
		for i, b := range src[:len(dst)] {
			dst[i] = float32(int32(b)-128) * (1.0 / 128)
		}
	case kindS8:
		for i, b := range src[:len(dst)] {
			dst[i] = float32(int8(b)) * (1.0 / 128)
		}
	case kindS16:
		for i := range dst {
			b := src[2*i : 2*i+2]
			var v int16
			if be {
				v = int16(binary.BigEndian.Uint16(b))
			} else {
				v = int16(binary.LittleEndian.Uint16(b))
			}
			dst[i] = float32(v) * (1.0 / 32768)
		}
	case kindS24:
		for i := range dst {
			b := src[3*i : 3*i+3]
			var u uint32
			if be {
				u = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8
			} else {
				u = uint32(b[2])<<24 | uint32(b[1])<<16 | uint32(b[0])<<8
			}
			dst[i] = float32(int32(u)>>8) * (1.0 / (1 << 23))
		}
	case kindS32:
		for i := range dst {
			b := src[4*i : 4*i+4]
			var v int32
			if be {
				v = int32(binary.BigEndian.Uint32(b))
			} else {
				v = int32(binary.LittleEndian.Uint32(b))
			}
			// float32(v) rounds to nearest as libsndfile's i2f_array does; the
			// power-of-two scale is exact.
			dst[i] = float32(v) * (1.0 / (1 << 31))
		}
	case kindF32:
		for i := range dst {
			b := src[4*i : 4*i+4]
			if be {
				dst[i] = math.Float32frombits(binary.BigEndian.Uint32(b))
			} else {
				dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b))
			}
		}
	case kindF64:
		for i := range dst {
			b := src[8*i : 8*i+8]
			if be {
				dst[i] = float32(math.Float64frombits(binary.BigEndian.Uint64(b)))
			} else {
				dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
			}
		}
	case kindULaw:
		for i, b := range src[:len(dst)] {
			dst[i] = float32(ulawToLinear(b)) * (1.0 / 32768)
		}
	case kindALaw:
		for i, b := range src[:len(dst)] {
			dst[i] = float32(alawToLinear(b)) * (1.0 / 32768)
		}
	}
}

// ulawToLinear expands a G.711 mu-law byte to 16-bit linear, the values of libsndfile's
// ulaw_decode table (Sun's g711.c algorithm: range -32124..32124).
func ulawToLinear(u byte) int16 {
	u = ^u
	t := (int32(u&0x0f) << 3) + 0x84
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(0x84 - t)
	}
	return int16(t - 0x84)
}

// alawToLinear expands a G.711 A-law byte to 16-bit linear, the values of libsndfile's
// alaw_decode table (Sun's g711.c algorithm: range -32256..32256).
func alawToLinear(a byte) int16 {
	a ^= 0x55
	t := int32(a&0x0f) << 4
	switch seg := (a & 0x70) >> 4; seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// readBlockBytes is the read size of the block decoders: large enough that the per-read cost
// vanishes, small enough to stay in cache.
const readBlockBytes = 1 << 16

// decodeBlocks reads frames whole frames of c-encoded samples (channels per frame) from r,
// which must be positioned at the first sample, into dst (len frames*channels).
func (c codec) decodeBlocks(dst []float32, r io.Reader, channels int, name string) error {
	frameBytes := c.width * channels
	perRead := max(1, readBlockBytes/frameBytes) * frameBytes
	buf := make([]byte, min(perRead, len(dst)*c.width))
	for len(dst) > 0 {
		nb := min(len(buf), len(dst)*c.width)
		if _, err := io.ReadFull(r, buf[:nb]); err != nil {
			return fmt.Errorf("audio: %s: reading samples: %w", name, err)
		}
		ns := nb / c.width
		c.decodeSamples(dst[:ns], buf[:nb])
		dst = dst[ns:]
	}
	return nil
}
