// Every page: send the page's beacon (its view and its ads, counted once by the server's rules) and, for a
// signed-in reader, swap in their personal parts (account menu, messages, their comment block) from an
// uncached fragment. The page itself is the same for every reader and may come from the edge cache.
(() => {
  const data = document.getElementById("page-data");
  if (!data) return;

  if (data.dataset.beacon && navigator.sendBeacon) {
    navigator.sendBeacon(data.dataset.beaconUrl, new URLSearchParams({ b: data.dataset.beacon }));
  }

  // "signed_in" is a marker cookie set at login (the session cookie itself is out of a script's reach).
  const signedIn = document.cookie.split("; ").includes("signed_in=1");
  if (!data.dataset.fragmentUrl || !signedIn) return;
  const url = new URL(data.dataset.fragmentUrl, location.href);
  const cpage = new URLSearchParams(location.search).get("cpage");
  if (cpage) url.searchParams.set("cpage", cpage);
  url.searchParams.set("next", location.pathname + location.search); // where its links lead back to
  fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : {}))
    .then((parts) => {
      for (const [name, html] of Object.entries(parts)) {
        const place = document.querySelector(`[data-personal="${name}"]`);
        if (place) place.outerHTML = html;
      }
      if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
    })
    .catch(() => {}); // the public page stays as it is: readable, with a link to the comments page
})();
