//! Writes the data of an exported program as a NumPy `.npz`: a zip archive
//! of `.npy` files, one per array, stored (not compressed).
//!
//! Written here rather than with the `zip` crate: `np.load` needs only the
//! stored method, a CRC-32 and the local and central headers, about as much
//! code as the crate's configuration would take, and gradlang keeps its
//! dependency list short (it builds offline from the lock file).

use crate::tensor::Tensor;

/// One `.npy` file (format 1.0): little-endian float64, C order.
fn npy(t: &Tensor) -> Vec<u8> {
    let shape = t.shape();
    let dims = match shape.len() {
        0 => String::new(),
        1 => format!("{},", shape[0]),
        _ => shape
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({dims}), }}");
    // The magic (6), version (2) and length (2) plus the header and its
    // newline are padded to a multiple of 64 bytes.
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    for v in t.to_vec() {
        out.extend(v.to_le_bytes());
    }
    out
}

/// CRC-32 (IEEE, reflected), as zip requires.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The `.npz` bytes holding `arrays` as `NAME.npy` each, or `None` past
/// 4 GiB in all, which would need zip64 (this writer does not do it).
pub fn npz(arrays: &[(String, Tensor)]) -> Option<Vec<u8>> {
    let total: usize = arrays.iter().map(|(_, t)| t.len() * 8 + 256).sum();
    if total > u32::MAX as usize {
        return None;
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, t) in arrays {
        let file = format!("{name}.npy");
        let body = npy(t);
        let crc = crc32(&body);
        let offset = out.len() as u32;
        let size = body.len() as u32;
        // Local header: version 2.0, no flags, stored, no time stamp.
        out.extend(0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, 0, 0, 0] {
            out.extend(v.to_le_bytes());
        }
        for v in [crc, size, size] {
            out.extend(v.to_le_bytes());
        }
        out.extend((file.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(file.as_bytes());
        out.extend(&body);
        central.extend(0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, 0, 0, 0, 0] {
            central.extend(v.to_le_bytes());
        }
        for v in [crc, size, size] {
            central.extend(v.to_le_bytes());
        }
        for v in [file.len() as u16, 0, 0, 0, 0] {
            central.extend(v.to_le_bytes());
        }
        central.extend(0u32.to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(file.as_bytes());
    }
    let start = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    let count = arrays.len() as u16;
    for v in [0u16, 0, count, count] {
        out.extend(v.to_le_bytes());
    }
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_the_check_string() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn an_archive_ends_with_its_directory() {
        let t = Tensor::from_shape_vec(&[2], vec![1.0, 2.0]);
        let bytes = npz(&[("a".into(), t)]).unwrap_or_default();
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        // End of central directory: one entry.
        let end = &bytes[bytes.len() - 22..];
        assert_eq!(&end[..4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 1);
    }

    #[test]
    fn npy_header_is_padded_to_64_bytes() {
        let bytes = npy(&Tensor::from_shape_vec(&[2, 3], vec![0.0; 6]));
        let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + len) % 64, 0);
        assert_eq!(bytes.len(), 10 + len + 6 * 8);
    }
}
