/* The geopoint question: 使用当前位置 (the browser's geolocation, accuracy kept) or a pin placed
 * on a map (Leaflet, vendored, loaded only when asked for). Plain ES5 for old phones.
 * The value written is XLSForm's "lat lon altitude accuracy" on WGS-84 for a GPS fix, and
 * "lat lon" in the tiles' datum for a pin (the hidden *_datum field says which); the server
 * converts and checks it again. */
(function () {
  "use strict";
  if (window.surveyGeopoint) { return; }
  window.surveyGeopoint = true;

  function loadLeaflet(box, done) {
    if (window.L) { done(); return; }
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = box.getAttribute("data-leaflet-css");
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = box.getAttribute("data-leaflet-js");
    script.onload = done;
    script.onerror = function () { status(box, "地图加载失败，请直接填写坐标。", "warn"); };
    document.head.appendChild(script);
  }

  function status(box, text, kind) {
    var p = box.querySelector(".geo-status");
    p.textContent = text;
    p.className = "geo-status" + (kind ? " " + kind : "");
  }

  function fixed(n) { return (Math.round(n * 1e7) / 1e7).toFixed(7); }

  function setValue(box, lat, lon, accuracy, datum) {
    var input = box.querySelector("input[type=text], input:not([type])");
    input.value = fixed(lat) + " " + fixed(lon) + (accuracy === null ? "" : " 0 " + Math.round(accuracy));
    box.querySelector(".geo-datum").value = datum;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function locate(box) {
    if (!navigator.geolocation) { status(box, "这部手机不能定位，请在地图上选点。", "warn"); return; }
    status(box, "正在定位，请稍候……");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var acc = pos.coords.accuracy;
      setValue(box, pos.coords.latitude, pos.coords.longitude, acc, "wgs84");
      if (acc > 100) {
        status(box, "已定位，但误差约 " + Math.round(acc) + " 米，偏大。可以到门口再试，或在地图上选点。", "warn");
      } else {
        status(box, "已定位，误差约 " + Math.round(acc) + " 米。", "ok");
      }
    }, function (err) {
      var text = err.code === 1 ? "没有获得定位权限。请在地图上选点，或直接填写坐标。"
        : "暂时定位不到。请到门口再试，或在地图上选点。";
      status(box, text, "warn");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  }

  function pin(box) {
    var holder = box.querySelector(".geo-map");
    holder.hidden = false;
    if (holder.getAttribute("data-ready")) { return; }
    holder.setAttribute("data-ready", "1");
    loadLeaflet(box, function () {
      var centre = null;
      try { centre = JSON.parse(box.getAttribute("data-centre")); } catch (e) { centre = null; }
      var map = L.map(holder, { attributionControl: true });
      var tiles = box.getAttribute("data-tiles");
      var datum = box.getAttribute("data-datum") || "wgs84";
      if (tiles) {
        L.tileLayer(tiles, { maxZoom: 19, attribution: box.getAttribute("data-attribution") || "" }).addTo(map);
      }
      var points = (centre && centre.points) || [];
      for (var i = 0; i < points.length; i++) {
        L.circleMarker([points[i].lat, points[i].lon], { radius: 5, color: "#555", weight: 1, fillOpacity: 0.6 })
          .bindTooltip(points[i].name, { permanent: !tiles, direction: "top" }).addTo(map);
      }
      if (centre && centre.lat !== undefined) { map.setView([centre.lat, centre.lon], 16); }
      else { map.setView([35, 105], 4); }
      var marker = null;
      map.on("click", function (event) {
        if (marker) { marker.setLatLng(event.latlng); }
        else {
          marker = L.marker(event.latlng, { draggable: true }).addTo(map);
          marker.on("dragend", function () {
            var p = marker.getLatLng();
            setValue(box, p.lat, p.lng, null, datum);
          });
        }
        setValue(box, event.latlng.lat, event.latlng.lng, null, datum);
        status(box, "已在地图上选点。可以拖动红点调整。", "ok");
      });
      status(box, tiles ? "请点一下门店所在的位置。" : "没有配置底图：灰点是社区位置，请对照它们点选门店的大致位置。");
    });
  }

  var boxes = document.querySelectorAll("[data-geopoint]"), k;
  for (k = 0; k < boxes.length; k++) {
    (function (box) {
      box.querySelector(".geo-actions").hidden = false;
      box.querySelector(".geo-locate").addEventListener("click", function () { locate(box); });
      box.querySelector(".geo-pin").addEventListener("click", function () { pin(box); });
      var typed = box.querySelector("input[type=text], input:not([type])");
      typed.addEventListener("input", function () { box.querySelector(".geo-datum").value = "wgs84"; });
    }(boxes[k]));
  }
}());
