// A photo as the phone keeps it: resized with a canvas to at most MAX_SIDE pixels on its longer side, JPEG,
// and its SHA-256 (hex) for the record's attachments list. No image library.
const MAX_SIDE = 1600;
const QUALITY = 0.82;

/** Resize an image file to a JPEG blob no larger than MAX_SIDE on either side. */
export async function resizePhoto(file, maxSide = MAX_SIDE) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  try {
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    return await new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("toBlob failed"))), "image/jpeg", QUALITY);
    });
  } finally {
    bitmap.close();
  }
}

/** The SHA-256 of a blob, as 64 lowercase hex digits. */
export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
