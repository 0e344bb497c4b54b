/* global exports */
// The cold-start baseline: a viewer-request function that does nothing but pass the request on.
exports.handler = async (event) => event.Records[0].cf.request;
