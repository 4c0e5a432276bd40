throw new Error(
  '@oflink/server was imported in browser code. It holds your OFAuth apiKey and must only run on your server. ' +
    'Import @oflink/react in the browser, and call createLinkHandler from a server route.',
);
