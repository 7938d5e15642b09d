//! Checkpoint bytes and crash-safe checkpoint files (feature `serde`; files need `std`).
//!
//! The bytes are a 24-byte header, then the checkpoint as JSON:
//!
//! ```text
//! offset  size  field
//! 0       8     magic  b"BPROPCK\n"
//! 8       4     format version, u32 little-endian (FORMAT_VERSION)
//! 12      8     payload length in bytes, u64 little-endian
//! 20      4     CRC-32 (IEEE) of the payload, u32 little-endian
//! 24      …     payload: the Checkpoint as JSON (serde_json)
//! ```
//!
//! A file is written beside its target under a temporary name, flushed to disk, renamed
//! over the target and the directory synced, so the path always names a whole file.

use alloc::vec::Vec;

use super::checkpoint::{Checkpoint, FORMAT_VERSION};
use crate::error::{CheckpointFault, Error};

/// The first bytes of every checkpoint file (the newline catches a text-mode transfer).
const MAGIC: [u8; 8] = *b"BPROPCK\n";

/// Magic, version, payload length and checksum.
const HEADER_LEN: usize = 8 + 4 + 8 + 4;

fn invalid(reason: CheckpointFault) -> Error {
    Error::InvalidCheckpoint { reason }
}

impl<M, O, T> Checkpoint<M, O, T> {
    /// The checkpoint as the bytes of a checkpoint file: a header with a magic number, the
    /// format version, the payload's length and its CRC-32, then the checkpoint as JSON.
    ///
    /// [`Trainer::save`](crate::Trainer::save) writes these bytes crash-safely; use this
    /// to send a checkpoint elsewhere (a socket, an object store).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCheckpoint`] with [`CheckpointFault::Payload`] if the model or the
    /// rule refuses to serialize (the built-in ones never do).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error>
    where
        Self: serde::Serialize,
    {
        let payload = serde_json::to_vec(self).map_err(|_| invalid(CheckpointFault::Payload))?;
        let mut bytes = Vec::new();
        bytes
            .try_reserve_exact(HEADER_LEN + payload.len())
            .map_err(|_| invalid(CheckpointFault::Payload))?;
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        bytes.extend_from_slice(&payload);
        Ok(bytes)
    }

    /// Reads the bytes [`to_bytes`](Self::to_bytes) wrote, checking the header first.
    ///
    /// This checks the container, not the values:
    /// [`Trainer::restore`](crate::Trainer::restore) checks those against the trainer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCheckpoint`] naming the first fault, in this order:
    /// [`NotACheckpointFile`](CheckpointFault::NotACheckpointFile) (no magic header, or
    /// fewer bytes than a header), [`Version`](CheckpointFault::Version),
    /// [`Length`](CheckpointFault::Length) (truncated or extended),
    /// [`Checksum`](CheckpointFault::Checksum) (corrupted) and
    /// [`Payload`](CheckpointFault::Payload) (not a checkpoint of these types).
    ///
    /// ```
    /// use backprop::{Checkpoint, CheckpointFault, Error, Mse, Neuron, Sgd, Trainer};
    ///
    /// let trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?;
    /// let bytes = trainer.checkpoint().to_bytes()?;
    /// let cut = Checkpoint::<Neuron<f64>, Sgd<f64>, f64>::from_bytes(&bytes[..bytes.len() - 1]);
    /// assert!(matches!(
    ///     cut,
    ///     Err(Error::InvalidCheckpoint { reason: CheckpointFault::Length { .. } })
    /// ));
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error>
    where
        Self: serde::de::DeserializeOwned,
    {
        let payload = checked_payload(bytes)?;
        serde_json::from_slice(payload).map_err(|_| invalid(CheckpointFault::Payload))
    }
}

/// The payload of checkpoint-file `bytes` whose header and checksum are right.
fn checked_payload(bytes: &[u8]) -> Result<&[u8], Error> {
    if bytes.len() < HEADER_LEN || bytes[..8] != MAGIC {
        return Err(invalid(CheckpointFault::NotACheckpointFile));
    }
    let field = |range: core::ops::Range<usize>| &bytes[range];
    let version = u32::from_le_bytes(field(8..12).try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(invalid(CheckpointFault::Version {
            expected: FORMAT_VERSION,
            actual: version,
        }));
    }
    let expected = u64::from_le_bytes(field(12..20).try_into().expect("8 bytes"));
    let payload = &bytes[HEADER_LEN..];
    let actual = payload.len() as u64;
    if actual != expected {
        return Err(invalid(CheckpointFault::Length { expected, actual }));
    }
    let expected = u32::from_le_bytes(field(20..24).try_into().expect("4 bytes"));
    let actual = crc32fast::hash(payload);
    if actual != expected {
        return Err(invalid(CheckpointFault::Checksum { expected, actual }));
    }
    Ok(payload)
}

#[cfg(feature = "std")]
pub(super) use atomic::write_atomically;

#[cfg(feature = "std")]
mod atomic {
    use std::ffi::OsString;
    use std::fs::{self, File};
    use std::io::{self, Write};
    use std::path::Path;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Distinguishes the temporary files of saves running at once in one process.
    static SAVES: AtomicU64 = AtomicU64::new(0);

    /// Writes `bytes` to `path` so that at every instant `path` holds its old content or
    /// the new one, whole: a temporary file in the same directory (a rename is atomic
    /// only within one file system), flushed to disk, renamed over `path`, and the
    /// directory synced so the rename itself survives a power cut.
    pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut temp_name = OsString::from(".");
        temp_name.push(name);
        let unique = SAVES.fetch_add(1, Ordering::Relaxed);
        temp_name.push(format!(".{}.{unique}.tmp", std::process::id()));
        let temp = dir.join(temp_name);
        let written = write_synced(&temp, bytes)
            .and_then(|()| fs::rename(&temp, path))
            .and_then(|()| sync_directory(dir));
        if written.is_err() {
            let _ = fs::remove_file(&temp); // best effort: the target is untouched
        }
        written
    }

    fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut file = File::create(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    }

    /// Makes the rename durable. Only Unix can open a directory to sync it; elsewhere
    /// the rename is as durable as the platform makes it.
    fn sync_directory(dir: &Path) -> io::Result<()> {
        #[cfg(unix)]
        File::open(dir)?.sync_all()?;
        #[cfg(not(unix))]
        let _ = dir;
        Ok(())
    }
}

#[cfg(feature = "std")]
impl<M, L, O, T> super::Trainer<M, L, O, T>
where
    T: num_traits::Float,
    M: crate::model::Model<T>,
    L: crate::loss::Loss<T>,
    O: crate::optim::UpdateRule<T>,
{
    /// Writes the trainer's [`checkpoint`](Self::checkpoint) to the file at `path`,
    /// crash-safely: at every instant `path` holds the previous checkpoint or this one,
    /// whole, even if the process is killed or the machine loses power mid-save.
    ///
    /// The bytes go to a temporary file in the same directory (named `.NAME.PID.N.tmp`),
    /// which is flushed to disk, renamed over `path`, and the directory synced. A process
    /// killed mid-save may leave that temporary file behind; it is never read.
    /// See [`Checkpoint::to_bytes`] for the format.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with what the operating system reported (the file at `path` is then
    /// as it was), or [`Error::InvalidCheckpoint`] as [`Checkpoint::to_bytes`].
    ///
    /// ```
    /// use backprop::{Adam, Model, Mse, Neuron, Trainer};
    ///
    /// let path = std::env::temp_dir().join(format!("backprop-doc-{}.ckpt", std::process::id()));
    /// let new_trainer = || Trainer::new(Neuron::new(0.7), Mse, Adam::new(0.1));
    /// let mut trainer = new_trainer()?;
    /// trainer.step(&[1.2], &[0.4])?;
    /// trainer.save(&path)?;
    ///
    /// let mut resumed = new_trainer()?; // the same configuration
    /// resumed.load(&path)?;
    /// assert_eq!(resumed.model().params(), trainer.model().params());
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn save<P: AsRef<std::path::Path>>(&self, path: P) -> Result<(), Error>
    where
        M: Clone,
        O: Clone,
        Checkpoint<M, O, T>: serde::Serialize,
    {
        let bytes = self.checkpoint().to_bytes()?;
        let path = path.as_ref();
        write_atomically(path, &bytes).map_err(|e| crate::error::io_error(path, &e))
    }

    /// Reads the checkpoint file at `path` (written by [`save`](Self::save)), checks it
    /// and [`restore`](Self::restore)s it. The trainer must have been built with the
    /// configuration it was saved with (optimizer, schedule); only state is loaded.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, [`Error::InvalidCheckpoint`] for a
    /// truncated, corrupted or foreign-version file (see [`Checkpoint::from_bytes`]) or
    /// one [`restore`](Self::restore) refuses. The trainer is then untouched.
    pub fn load<P: AsRef<std::path::Path>>(&mut self, path: P) -> Result<(), Error>
    where
        M: Clone + PartialEq,
        O: PartialEq,
        Checkpoint<M, O, T>: serde::de::DeserializeOwned,
    {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| crate::error::io_error(path, &e))?;
        self.restore(Checkpoint::from_bytes(&bytes)?)
    }
}
