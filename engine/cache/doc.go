// Package cache keeps computed features on disk, keyed by the audio file's content, the feature
// configuration and a code version, so that a dataset is extracted once and reopened in seconds.
//
// # Keys
//
// An entry's key is the SHA-256 of: the entry format (FormatVersion), the features' code version
// (FeaturesVersion, bumped whenever features/ or engine/extract change what they compute), the
// caller's Options.Version, extract.Config.Key(), and the SHA-256 of the file's bytes. A file
// whose bytes change gets a new key and is recomputed; so does any change of configuration or
// version. Renaming or copying a file keeps its entries.
//
// # The stat index
//
// Hashing every file on every open would read the whole dataset again. The cache therefore keeps
// an index from (absolute path, device, inode, size, modification time, change time) to the
// content hash, in an append-only log of checksummed records. A record is trusted only when the
// file's modification and change times are at least RacyMargin older than the moment the record
// was written (the "racily clean" rule of git): a file rewritten within the same timestamp tick
// as its hashing, with the same size, cannot be mistaken for the old one. The change time
// (Linux's ctime, which no user call can set back) also catches a rewrite whose modification
// time was restored with touch -d. On systems other than Linux only size and modification time
// are compared. Set Options.NoIndex to hash every file every time.
//
// # Packs
//
// Opening one file per entry costs tens of microseconds on most systems, more than reading and
// checking the entry, so Each (and Extract) gathers a batch's entries into pack files: the
// entries it computes, and those it reads from entry files, which are removed once packed. A
// pack is an append-only run of entries, each exactly as an entry file holds it, followed by an
// index (key, offset, length) with its own checksum; reopening a cache reads each pack's index
// in one read, on first use of its configuration, and then reads each entry with one positioned
// read from the open pack, with no file opened per entry. Packs are grouped in folders by
// configuration and version, so only the packs of the configuration asked for are read.
//
// A batch packs once it holds 64 entries or 4 MiB; a smaller batch, and Put, write entry files,
// so that extracting a few files at a time does not leave a pack per call. A pack is closed
// once it holds 256 MiB or has been open two minutes, so that a crash loses little work and
// other processes see the entries soon; until then they are only in this process. Entry files
// stay valid: Get and Each read an entry from a pack first, then from its entry file.
//
// A pack is written to a temporary file in its folder and renamed into place once complete; it
// is never modified afterwards, and each process writes its own, so several processes can pack
// at once. Where two packs hold the same key (two processes computed it), the later one is
// used. An entry read from a pack is checked as an entry file is; one that fails is counted in
// Stats.Corrupt and recomputed, and its replacement is written as a pack of its own, named to
// sort after the damaged one, so that it supersedes the damaged record for every later reader.
// A pack whose index fails its checks is counted, removed and its entries recomputed. Records
// of damaged entries, of files since changed and of superseded keys stay in their packs as dead
// bytes until Clear; nothing rewrites a pack. A Cache sees the packs that existed when it first
// used a configuration, and those it writes itself; packs another process writes later are
// seen by the next Cache opened (meanwhile their entries are recomputed or read from entry
// files, never wrong). Temporary packs left by a crashed writer are removed after a day.
//
// # Safety
//
// Entries are written to a temporary file in their final folder and renamed into place, so
// several processes can fill one cache at once and a reader never sees half an entry. Every
// entry carries its key, its exact length and a CRC-32C of its contents; an entry that fails any
// check (truncated, corrupt, written by another format) is counted in Stats.Corrupt, removed and
// recomputed, never trusted. Entries and packs are not fsynced: a crash can at worst leave an
// entry or a pack that fails its check, or lose entries that were being packed, which are then
// recomputed. Failed extractions are not cached.
//
// # Layout on disk
//
//	DIR/v1/ab/abcdef....hfc            one entry per (file content, configuration, version)
//	DIR/v1/packs/GROUP/SEQRANDOM.hpk   packs of one configuration and version (GROUP)
//	DIR/index-v1.log                   the stat index
//
// DIR is Options.Dir, else $HARK_CACHE/features, else the user cache directory's
// hark/features ($XDG_CACHE_HOME/hark/features on Linux).
package cache
