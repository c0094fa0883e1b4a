#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with seed inputs from the example site's content and the reference
# article (../shared/reference/seed-article.txt when present), plus the committed regressions.
# Run from the repository root: fuzz/seed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=fuzz/corpus
mkdir -p "$corpus"/{front_matter,markdown,slugify,matcher,pipeline}
reference=../shared/reference/seed-article.txt
i=0
while IFS= read -r -d '' f; do
  i=$((i + 1))
  cp "$f" "$corpus/front_matter/content-$i"
  cp "$f" "$corpus/pipeline/content-$i"
  # markdown: one byte of options, then the body (links and bylines on: 0x06).
  { printf '\x06'; cat "$f"; } > "$corpus/markdown/content-$i"
  # slugify and matcher: the title line, and the title then the body for the matcher.
  title=$(grep -m1 -E '^(title|name) *[=:]' "$f" | sed -E 's/^[a-z]+ *[=:] *"?//; s/"$//' || true)
  printf '%s' "$title" > "$corpus/slugify/content-$i"
  { printf '%s\n' "$title"; sed -n '/^+++$/,$p' "$f" | tail -n +2 | sed -n '/^+++$/,$p' | tail -n +2; } \
    > "$corpus/matcher/content-$i"
done < <(find content -name '*.md' -print0 | sort -z)
if [ -f "$reference" ]; then
  cp "$reference" "$corpus/markdown/reference"
  { printf '+++\ntitle = "Hội nghị tổng kết"\ndate = 2025-12-30\n+++\n'; cat "$reference"; } \
    > "$corpus/pipeline/reference"
  cp "$corpus/pipeline/reference" "$corpus/front_matter/reference"
  { printf 'Lưu Thanh Bình\n'; cat "$reference"; } > "$corpus/matcher/reference"
fi
for t in front_matter markdown slugify matcher pipeline; do
  if [ -d "fuzz/regressions/$t" ]; then cp fuzz/regressions/$t/* "$corpus/$t/" 2>/dev/null || true; fi
done
echo "seeded: $(find "$corpus" -type f | wc -l) files"
