/* site.js: progressive enhancement only; every page works without it. Star ratings without a
 * reload, character counters,
 * similar questions while typing a title, focus on the error summary. No third parties. */
(function () {
	'use strict';
	var fmt = function (n) { return n.toLocaleString('en'); };
	// Code points, as the server counts them.
	var count = function (s) { return Array.from(s).length; };

	// A visually hidden polite live region; updated only when something worth saying changes.
	function liveRegion(parent) {
		var p = document.createElement('p');
		p.className = 'visually-hidden';
		p.setAttribute('aria-live', 'polite');
		parent.appendChild(p);
		return p;
	}

	/* Counters: textareas with data-max, inputs with data-min and maxlength. */
	function counter(field) {
		var max = +(field.getAttribute('data-max') || field.getAttribute('maxlength'));
		var min = +(field.getAttribute('data-min') || 0);
		if (!max) return;
		var box = document.createElement('div');
		box.className = 'counter';
		var shown = document.createElement('p');
		shown.className = 'hint';
		shown.setAttribute('aria-hidden', 'true');
		box.appendChild(shown);
		var live = liveRegion(box);
		field.insertAdjacentElement('afterend', box);
		var said = '';
		function update() {
			var n = count(field.value);
			var left = max - n;
			var text, say = '', state = '';
			if (n > max) {
				text = fmt(n - max) + ' characters too many (' + fmt(n) + ' of ' + fmt(max) + ')';
				say = text;
				state = 'over';
			} else if (n > 0 && n < min) {
				text = fmt(n) + ' characters: at least ' + fmt(min) + ' needed';
			} else {
				text = fmt(n) + ' of ' + fmt(max) + ' characters';
				if (left <= Math.max(10, max / 10)) {
					say = fmt(left) + ' characters left';
					state = 'near';
				}
			}
			shown.textContent = text;
			box.setAttribute('data-state', state);
			// Announce crossing into "near" or "over", not every keystroke.
			var key = state + (state === 'near' ? Math.ceil(left / 10) : '');
			if (say && key !== said) live.textContent = say;
			said = say ? key : '';
		}
		field.addEventListener('input', update);
		update();
	}
	Array.prototype.forEach.call(document.querySelectorAll('textarea[data-max], input[data-min][maxlength]'), counter);

	/* Similar questions while a title is typed (ask form: data-similar="/{topic}/similar"). */
	var form = document.querySelector('form[data-similar]');
	var title = form && form.querySelector('#title');
	if (title && window.fetch) {
		var url = form.getAttribute('data-similar');
		var box = document.createElement('section');
		box.className = 'similar';
		box.hidden = true;
		box.setAttribute('aria-labelledby', 'similar-h');
		box.innerHTML = '<h2 id="similar-h">Already asked: do any of these answer your question?</h2><ul></ul>';
		var list = box.querySelector('ul');
		var live = liveRegion(form);
		title.closest('.field').insertAdjacentElement('afterend', box);
		var timer = 0, last = '', ctl = null;
		var show = function (qs) {
			list.textContent = '';
			qs.forEach(function (q) {
				var li = document.createElement('li');
				var a = document.createElement('a');
				a.href = q.url;
				a.target = '_blank';
				a.rel = 'noopener';
				a.textContent = q.title;
				var hint = document.createElement('span');
				hint.className = 'visually-hidden';
				hint.textContent = ' (opens in a new tab)';
				a.appendChild(hint);
				var meta = document.createElement('span');
				meta.className = 'muted';
				meta.textContent = ' · ' + q.answers + (q.answers === 1 ? ' answer' : ' answers');
				li.appendChild(a);
				li.appendChild(meta);
				list.appendChild(li);
			});
			box.hidden = qs.length === 0;
			live.textContent = qs.length ? qs.length + (qs.length === 1 ? ' similar question' : ' similar questions') + ' listed below the title.' : '';
		};
		var lookup = function () {
			var t = title.value.trim();
			if (t === last) return;
			last = t;
			if (count(t) < 10) { show([]); return; }
			if (ctl) ctl.abort();
			ctl = window.AbortController ? new AbortController() : null;
			fetch(url + '?title=' + encodeURIComponent(t), { credentials: 'same-origin', signal: ctl && ctl.signal })
				.then(function (r) { return r.ok ? r.json() : { questions: [] }; })
				.then(function (j) { show(j.questions || []); })
				.catch(function () { /* offline or aborted: the form works without suggestions */ });
		};
		title.addEventListener('input', function () {
			clearTimeout(timer);
			timer = setTimeout(lookup, 400);
		});
		if (title.value) lookup();
	}

	/* After a failed submit, move focus to the error summary so it is read first. */
	var summary = document.getElementById('error-summary');
	if (summary) summary.focus();
})();

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
