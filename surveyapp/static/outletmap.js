/* Staff outlets map: Leaflet (vendored) with outlets, community points and 15-minute circles.
 * Points arrive in the tiles' datum (the server converts). With no tile URL the points draw on a
 * plain background. A click on the map fills the selected coordinate input ("pick" target):
 * the outlet whose 设置位置 button was pressed, or the community point form. */
(function () {
  "use strict";
  var holder = document.getElementById("outlet-map");
  if (!holder || !window.L) { return; }
  var data = JSON.parse(holder.getAttribute("data-map"));
  var map = L.map(holder);
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { maxZoom: 19, attribution: data.attribution || "" }).addTo(map);
  } else {
    holder.className += " no-tiles";
  }
  var colours = { basic: "#a4262c", quality: "#1f4e8a" };
  var bounds = [], i, o, c;
  var markers = {};
  for (i = 0; i < data.communities.length; i++) {
    c = data.communities[i];
    L.circle([c.lat, c.lon], { radius: data.radius_m, color: "#555", weight: 1, dashArray: "4 4", fill: false }).addTo(map);
    L.circleMarker([c.lat, c.lon], { radius: 6, color: "#222", weight: 2, fillColor: "#fff", fillOpacity: 1 })
      .bindTooltip(c.name, { permanent: true, direction: "right", className: "community-label" }).addTo(map);
    bounds.push([c.lat, c.lon]);
  }
  for (i = 0; i < data.outlets.length; i++) {
    o = data.outlets[i];
    markers[o.id] = L.circleMarker([o.lat, o.lon], {
      radius: 5, weight: 1, color: "#fff", fillOpacity: o.open ? 0.9 : 0.4,
      fillColor: o.open ? (colours[o.group] || "#a4262c") : "#999"
    }).bindTooltip(o.name + "（" + o.type + (o.open ? "" : "，已关闭") + "）").addTo(map);
    markers[o.id].on("click", (function (id) {
      return function () { var row = document.getElementById("o-" + id); if (row) { row.scrollIntoView({ block: "center" }); } };
    }(o.id)));
    bounds.push([o.lat, o.lon]);
  }
  if (bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 }); } else { map.setView([35, 105], 4); }

  var target = null;
  var pick = holder.getAttribute("data-pick");
  if (pick) { target = document.getElementById(pick); }
  // Delegated: the outlet table (and its 在地图上点选 buttons) comes after the map in the page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-pick-target]") : null;
    if (!button) { return; }
    target = document.getElementById(button.getAttribute("data-pick-target"));
    holder.scrollIntoView({ block: "center" });
    holder.className = holder.className.replace(/\s*picking/g, "") + " picking";
    event.preventDefault();
  });
  var pin = null;
  map.on("click", function (event) {
    if (!target) { return; }
    target.value = event.latlng.lat.toFixed(7) + " " + event.latlng.lng.toFixed(7);
    var datum = document.getElementById(target.id + "-datum");
    if (datum) { datum.value = data.datum; }
    if (pin) { pin.setLatLng(event.latlng); } else { pin = L.marker(event.latlng).addTo(map); }
    target.focus();
  });
}());
