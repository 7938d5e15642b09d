//! The gzip wrapper (RFC 1952) around the deflate stream that `miniz_oxide` inflates.

use alloc::vec::Vec;

/// The bytes a gzip member holds.
///
/// # Panics
///
/// If `member` is not a whole gzip member: only the crate's own compiled-in files are
/// passed here, and a test inflates each of them.
pub(super) fn gunzip(member: &[u8]) -> Vec<u8> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    assert_eq!(member[..3], [0x1f, 0x8b, 8], "a gzip member with deflate");
    let flags = member[3];
    let mut at = 10; // ID1 ID2 CM FLG MTIME(4) XFL OS
    if flags & FEXTRA != 0 {
        at += 2 + usize::from(u16::from_le_bytes([member[at], member[at + 1]]));
    }
    for field in [FNAME, FCOMMENT] {
        if flags & field != 0 {
            at += member[at..]
                .iter()
                .position(|&b| b == 0)
                .expect("a terminated field")
                + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    let (body, trailer) = member[at..].split_at(member.len() - at - 8);
    let bytes = miniz_oxide::inflate::decompress_to_vec(body).expect("a valid deflate stream");
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    assert_eq!(
        size,
        bytes.len() as u32,
        "ISIZE: the inflated length modulo 2³²"
    );
    bytes
}
