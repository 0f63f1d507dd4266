/* similar.js: on the ask page, lists questions like the title while it is typed (progressive
 * enhancement: without JavaScript the "Check for similar questions" button does the same). */
(function () {
	"use strict";
	var title = document.getElementById("title");
	var box = document.getElementById("similar-live");
	if (!title || !box || !window.fetch) {
		return;
	}
	var topic = box.getAttribute("data-topic") || "";
	var timer = null;
	var last = "";

	function show(items) {
		while (box.firstChild) {
			box.removeChild(box.firstChild);
		}
		if (!items.length) {
			box.hidden = true;
			return;
		}
		var h = document.createElement("h2");
		h.textContent = "Questions like yours";
		var p = document.createElement("p");
		p.textContent = "Their answers may help you straight away. If none fits, carry on below.";
		var ul = document.createElement("ul");
		ul.className = "plain-list";
		items.forEach(function (q) {
			var li = document.createElement("li");
			var a = document.createElement("a");
			a.href = q.url;
			a.textContent = q.title;
			var s = document.createElement("span");
			s.className = "muted";
			s.textContent = " " + q.topic + " · " + q.comments;
			li.appendChild(a);
			li.appendChild(s);
			ul.appendChild(li);
		});
		box.appendChild(h);
		box.appendChild(p);
		box.appendChild(ul);
		box.hidden = false;
	}

	function look() {
		var t = title.value.trim();
		if (t === last) {
			return;
		}
		last = t;
		if (t.length < 10) {
			show([]);
			return;
		}
		var url = "/search/similar.json?q=" + encodeURIComponent(t) + "&topic=" + encodeURIComponent(topic);
		fetch(url, { credentials: "same-origin" })
			.then(function (r) { return r.ok ? r.json() : { questions: [] }; })
			.then(function (d) { if (t === last) { show(d.questions || []); } })
			.catch(function () { show([]); });
	}

	title.addEventListener("input", function () {
		clearTimeout(timer);
		timer = setTimeout(look, 450);
	});
	title.addEventListener("blur", look);
})();
