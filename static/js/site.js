/* site.js: progressive enhancement only; every page works without it. Star ratings without a
 * reload, "Load more answers", character counters, similar questions while typing a title,
 * focus on the error summary. No third parties. */
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
		/* Suggestions show while typing, so posting needs no "did you mean" step first. */
		var step = form.querySelector('input[name=similar_step]');
		if (step) step.value = '0';
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

/* Rate This without a page reload. The stars are a radio group (fieldset "Rate this answer"):
 * Tab reaches it, arrow keys choose, Enter or the "Rate" button saves; a click or tap on a star
 * saves at once. Without JavaScript the same form posts and the page comes back. The result is
 * said in the form's status line (role=status) and focus stays where it was. */
(function () {
	'use strict';
	if (!window.fetch || !window.FormData) return;
	var pointerAt = 0;
	var ratingForm = function (el) {
		return el && el.form && el.form.classList.contains('rating-form') ? el.form : null;
	};

	function say(form, text) {
		var st = form.querySelector('.rating-status');
		if (st) st.textContent = text;
	}

	function errorText(res) {
		var fallback = 'Your rating could not be saved. Please try again.';
		return res.text().then(function (t) {
			try { return JSON.parse(t).message || fallback; } catch (e) { /* an HTML error page */ }
			var doc = new DOMParser().parseFromString(t, 'text/html');
			var msg = doc.querySelector('main p:not(.code)');
			return msg ? msg.textContent : fallback;
		});
	}

	function send(form) {
		var chosen = form.querySelector('input[name=stars]:checked');
		if (!chosen) { say(form, 'Choose from 1 to 5 stars first.'); return; }
		if (form.getAttribute('aria-busy') === 'true') return;
		form.setAttribute('aria-busy', 'true');
		say(form, 'Saving…');
		fetch(form.action, { method: 'POST', body: new FormData(form), credentials: 'same-origin',
			headers: { Accept: 'application/json' } })
			.then(function (res) {
				if (!res.ok) return errorText(res).then(function (t) { say(form, t); });
				return res.json().then(function (j) {
					var block = form.closest('.rating');
					var sum = block && block.querySelector('.rating-summary');
					if (sum) {
						sum.textContent = '';
						var stars = document.createElement('span');
						stars.className = 'stars';
						stars.setAttribute('aria-hidden', 'true');
						stars.textContent = j.stars_text;
						var avg = document.createElement('span');
						avg.className = 'rating-avg';
						avg.textContent = j.avg + ' out of 5';
						var n = document.createElement('span');
						n.className = 'muted';
						n.textContent = '(' + j.count_label + ')';
						sum.append(stars, ' ', avg, ' ', n);
					}
					var mine = form.querySelector('.rating-mine');
					if (mine) mine.textContent = ' (you gave ' + j.mine + ' of 5; choose again to change)';
					say(form, 'Thank you: your rating of ' + j.mine + (j.mine === 1 ? ' star' : ' stars') + ' is saved.');
				});
			})
			.catch(function () { form.submit(); /* offline or odd reply: the plain form still works */ })
			.then(function () { form.removeAttribute('aria-busy'); });
	}

	document.addEventListener('pointerdown', function (e) {
		if (e.target.closest && e.target.closest('form.rating-form')) pointerAt = Date.now();
	});
	// A click or tap on a star saves it; arrow keys only move the choice.
	document.addEventListener('change', function (e) {
		var form = e.target.name === 'stars' && ratingForm(e.target);
		if (form && Date.now() - pointerAt < 1500) send(form);
	});
	document.addEventListener('keydown', function (e) {
		var form = e.key === 'Enter' && e.target.name === 'stars' && ratingForm(e.target);
		if (!form) return;
		e.preventDefault();
		send(form);
	});
	document.addEventListener('submit', function (e) {
		if (!e.target.classList || !e.target.classList.contains('rating-form')) return;
		e.preventDefault();
		send(e.target);
	});
})();

/* "More answers": with JavaScript the link becomes a button that adds the next page of answers
 * below the ones shown (from /{topic}/questions/{id}/answers?page=N, the same answers the link's
 * page shows), moves focus to the first new answer and says how many came. */
(function () {
	'use strict';
	if (!window.fetch) return;
	var list = document.querySelector('.answers .answer-list');
	if (!list) return;
	var live = document.createElement('p');
	live.className = 'visually-hidden';
	live.setAttribute('aria-live', 'polite');
	list.parentNode.appendChild(live);

	function enhance(p) {
		var link = p.querySelector('a.load-more[data-fragment]');
		if (!link) return;
		var btn = document.createElement('button');
		btn.type = 'button';
		btn.className = 'btn load-more';
		btn.textContent = 'Load more answers ';
		var range = link.querySelector('.load-more-range');
		if (range) btn.appendChild(range.cloneNode(true));
		p.replaceChild(btn, link);
		btn.addEventListener('click', function () {
			if (btn.getAttribute('aria-disabled') === 'true') return;
			btn.setAttribute('aria-disabled', 'true');
			live.textContent = 'Loading more answers…';
			fetch(link.getAttribute('data-fragment'), { credentials: 'same-origin' })
				.then(function (res) {
					if (!res.ok) throw new Error(String(res.status));
					return res.text();
				})
				.then(function (html) {
					var tpl = document.createElement('template');
					tpl.innerHTML = html;
					var items = tpl.content.querySelectorAll('.answer-list > li');
					var first = null;
					Array.prototype.forEach.call(items, function (li) {
						if (document.getElementById(li.id)) return; // already shown (answers changed meanwhile)
						list.appendChild(li);
						first = first || li;
					});
					var next = tpl.content.querySelector('.answers-more');
					if (next) {
						p.parentNode.replaceChild(next, p);
						enhance(next);
					} else {
						p.parentNode.removeChild(p);
					}
					var shown = document.querySelector('.answers-shown');
					var from = list.start || 1, to = from + list.children.length - 1;
					var total = shown && /of ([\d,]+)/.exec(shown.textContent);
					if (total) shown.textContent = from + '–' + to + ' of ' + total[1];
					var n = items.length;
					live.textContent = n + (n === 1 ? ' more answer' : ' more answers') + ' loaded' +
						(total ? ': answers ' + from + ' to ' + to + ' of ' + total[1] + ' are shown.' : '.') +
						(next ? '' : ' These are all the answers.');
					if (first) {
						var art = first.querySelector('article') || first;
						art.setAttribute('tabindex', '-1');
						art.focus();
					}
				})
				.catch(function () { window.location.href = link.href; });
		});
	}
	Array.prototype.forEach.call(document.querySelectorAll('.answers-more'), enhance);
})();
