import '@testing-library/jest-dom';

// jsdom has no layout. Give elements a size so virtualised lists render the
// rows in view, as they do in a browser.
Object.defineProperties(HTMLElement.prototype, {
  clientHeight: { configurable: true, get: () => 480 },
  clientWidth: { configurable: true, get: () => 800 },
  offsetHeight: { configurable: true, get: () => 480 },
  offsetWidth: { configurable: true, get: () => 800 },
});
HTMLElement.prototype.getBoundingClientRect = function getBoundingClientRect() {
  return {
    x: 0,
    y: 0,
    top: 0,
    left: 0,
    bottom: 480,
    right: 800,
    width: 800,
    height: 480,
    toJSON: () => ({}),
  };
};
