// Turns a title into a URL slug: "Hello, World!" -> "hello-world".
//
// Known bug, kept on purpose for the demo: accented letters are dropped instead of being reduced
// to their base letter ("Crème" -> "crme"), because the text is not NFD-normalized before the
// non-ASCII characters are stripped. test/slugify.test.js has the red test that shows it.
export function slugify(title, { maxLength = 80 } = {}) {
  const slug = String(title)
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, '')
    .trim()
    .replace(/[\s-]+/g, '-');
  return slug.slice(0, maxLength).replace(/-+$/, '');
}
