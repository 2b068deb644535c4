// @ts-check
// The inbox (issue 19, REM-4): every notification, newest first, a page at a time. Each opens
// the screen its link names and is marked read on the way; "Mark as read" does only that.

import { get, post } from "./api.js";
import { announce, button, el, failure, link, loading } from "./ui.js";
import { longDate, today } from "./words.js";

/** @typedef {import("./types").Screen} Screen */
/** @typedef {import("./types").NotificationView} NotificationView */

const PAGE = 20;

/**
 * Marks one notification read; false when that could not be done.
 * @param {string} id
 */
async function markRead(id) {
  try {
    await post("/api/v1/me/notifications/{id}/read", { params: { id } });
    return true;
  } catch {
    return false;
  }
}

/**
 * @param {NotificationView} n
 * @param {string} year
 * @param {HTMLElement} counter
 */
function item(n, year, counter) {
  const open = link(n.link, n.title);
  // Marked read before the screen changes; the app's link handling then navigates.
  open.addEventListener("click", () => {
    if (!n.read_at) void markRead(n.id);
  });
  const state = el("p", { className: "note", text: `${n.read_at ? "Read" : "Unread"} · ${longDate(n.created_at.slice(0, 10), year)}` });
  const li = el("li", { className: n.read_at ? "item" : "item unread" }, [
    el("p", { className: "item-title" }, [open]),
    el("p", { text: n.body }),
    state,
  ]);
  if (!n.read_at) {
    const mark = button("Mark as read", { className: "button secondary small", hidden: n.title });
    mark.addEventListener("click", async () => {
      if (!(await markRead(n.id))) {
        announce("This was not marked as read. Try again when you are back online.");
        return;
      }
      n.read_at = new Date().toISOString();
      li.classList.remove("unread");
      state.textContent = `Read · ${longDate(n.created_at.slice(0, 10), year)}`;
      counter.textContent = String(Math.max(0, Number(counter.textContent) - 1));
      open.focus();
      mark.remove();
      announce("Marked as read.");
    });
    li.append(mark);
  }
  return li;
}

/**
 * The inbox screen.
 * @param {Screen} screen
 */
export async function showInbox({ me, body }) {
  body.replaceChildren(loading());
  const year = today(me.time_zone).slice(0, 4);
  const first = await get("/api/v1/me/notifications", { limit: PAGE, offset: 0 });
  const counter = el("span", { text: String(first.unread) });
  const list = el("ul", { className: "list" });
  const more = button("Show older notifications", { className: "button secondary" });
  /** @param {import("./types").Inbox} page */
  const add = (page) => {
    const items = page.items.map((n) => item(n, year, counter));
    list.append(...items);
    more.hidden = page.offset + page.items.length >= page.total;
    return items;
  };
  more.addEventListener("click", async () => {
    try {
      const page = await get("/api/v1/me/notifications", { limit: PAGE, offset: list.children.length });
      const added = add(page);
      added[0]?.querySelector("a")?.focus();
      announce(`${added.length} older notifications shown.`);
    } catch (error) {
      announce(failure(error));
    }
  });
  add(first);
  body.replaceChildren(
    el("p", {}, [counter, ` unread of ${first.total}.`]),
    first.total === 0 ? el("p", { text: "You have no notifications." }) : list,
    more,
  );
}
