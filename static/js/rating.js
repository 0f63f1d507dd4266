/* rating.js: "Rate This" without a page reload. Without JavaScript the same form posts and
 * the page comes back; with it, choosing stars saves at once and the summary updates. */
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser || !window.FormData) return;

  function send(form) {
    var status = form.querySelector(".rating-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "rating-status muted";
      status.setAttribute("role", "status");
      form.appendChild(status);
    }
    status.textContent = "Saving…";
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (res) {
        if (!res.ok) throw res;
        return res.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var action = form.getAttribute("action");
        var fresh = doc.querySelector('form.rating-form[action="' + action + '"]');
        var block = form.closest(".rating");
        if (fresh && block) {
          var newBlock = fresh.closest(".rating");
          block.replaceWith(newBlock);
          enhance(newBlock.querySelector("form.rating-form"));
          var st = document.createElement("p");
          st.className = "rating-status muted";
          st.setAttribute("role", "status");
          st.textContent = "Thank you: your rating is saved.";
          newBlock.querySelector("form.rating-form").appendChild(st);
        }
      })
      .catch(function (res) {
        if (res && res.text) {
          res.text().then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var msg = doc.querySelector(".error-page p:not(.code)") || doc.querySelector("main p");
            status.textContent = msg ? msg.textContent : "Your rating could not be saved. Please try again.";
          });
        } else {
          form.submit();
        }
      });
  }

  function enhance(form) {
    if (!form) return;
    var button = form.querySelector("button[type=submit]");
    if (button) button.hidden = true;
    form.addEventListener("change", function (e) {
      if (e.target && e.target.name === "stars") send(form);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send(form);
    });
  }

  document.querySelectorAll("form.rating-form").forEach(enhance);
})();
