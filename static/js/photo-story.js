// 포토뉴스 (templates/news/_photo_sequence.html). Without this script the sequence already works: the strip
// snaps one photo at a time when swiped or scrolled (CSS scroll-snap), a focused strip scrolls with the
// browser's arrow keys, and every photo has links to the previous, the next and each other photo.
// The script makes each step exactly one photo: ←/→ (and Home/End) on the strip, the links without the page
// jumping, a swipe that stops at the next photo even when flicked (scroll-snap-stop in the CSS), and it
// announces "사진 n / total" and the caption to screen readers whenever another photo comes into view.
document.querySelectorAll("[data-photo-story]").forEach((story) => {
  const strip = story.querySelector("[data-photo-strip]");
  const slides = [...strip.children];
  const status = story.querySelector("[data-photo-status]");
  const thumbs = [...story.querySelectorAll(".photo-index a")];
  const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  let current = -1;

  const mark = (index) => {
    if (index === current) return;
    current = index;
    thumbs.forEach((thumb, i) => {
      if (i === index) thumb.setAttribute("aria-current", "true");
      else thumb.removeAttribute("aria-current");
    });
    const caption = slides[index].querySelector("[data-photo-caption]");
    status.textContent = `사진 ${index + 1} / ${slides.length}${caption ? `: ${caption.textContent}` : ""}`;
  };

  const show = (index) => {
    const target = Math.max(0, Math.min(slides.length - 1, index));
    strip.scrollTo({ left: slides[target].offsetLeft, behavior: smooth ? "smooth" : "auto" });
    mark(target);
  };

  strip.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: slides.length - 1 };
    if (event.key in moves && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      show(moves[event.key]);
    }
  });

  story.querySelectorAll("[data-photo-step]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const index = slides.findIndex((slide) => `#${slide.id}` === link.hash);
      if (index < 0) return;
      event.preventDefault();
      history.replaceState(null, "", link.hash);
      show(index);
      strip.focus({ preventScroll: true });  // the arrow keys go on from here
    });
  });

  // A swipe, a scroll or the browser's own keys: whichever photo is mostly in view is the current one.
  const seen = new IntersectionObserver(
    (entries) => entries.forEach((entry) => { if (entry.isIntersecting) mark(slides.indexOf(entry.target)); }),
    { root: strip, threshold: 0.6 },
  );
  slides.forEach((slide) => seen.observe(slide));

  // A wider or narrower strip (a phone turned, a scrollbar gone) keeps the current photo in place.
  new ResizeObserver(() => { strip.scrollLeft = slides[Math.max(0, current)].offsetLeft; }).observe(strip);

  story.classList.add("photo-story-ready");
  const start = slides.findIndex((slide) => `#${slide.id}` === location.hash);
  if (start > 0) strip.scrollLeft = slides[start].offsetLeft;
  current = Math.max(0, start);  // the first announcement waits for the reader to move
  thumbs[current]?.setAttribute("aria-current", "true");
});
